package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Makes one provider attempt over a pooled, non-blocking Reactor Netty client and classifies every
 * way it can fail as a {@link ProviderFailure}. Retries and fallback are the caller's business; a
 * stream that fails after its first delta fails as {@link ProviderFailure.Kind#INTERRUPTED} so no
 * one retries it.
 */
public final class ProviderClient implements AutoCloseable {

  static final String CLIENT_REQUEST_ID_HEADER = "x-client-request-id";
  private static final byte[] EMPTY = new byte[0];

  private final ConnectionProvider pool;
  /** The dispatcher's own event loops, named for it (one JVM may also hold other services' loops). */
  private final LoopResources eventLoops = LoopResources.create("tiergate-dispatcher-http");
  private final HttpClient http;
  private final Duration totalTimeout;

  public ProviderClient(final HttpSettings settings) {
    Objects.requireNonNull(settings, "settings");
    this.pool =
        ConnectionProvider.builder("tiergate-providers")
            .maxConnections(settings.maxConnections())
            .pendingAcquireMaxCount(-1)
            .maxIdleTime(Duration.ofSeconds(30))
            .build();
    this.http =
        HttpClient.create(pool)
            .runOn(eventLoops)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis(settings.connectTimeout()))
            .responseTimeout(settings.responseTimeout());
    this.totalTimeout = settings.totalTimeout();
  }

  /** One non-streaming attempt. */
  public Mono<ProviderReply> complete(
      final ProviderTarget target, final ChatRequest request, final Map<String, String> params) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(request, "request");
    final boolean embeddings = request.getApiKind() == ApiKind.EMBEDDINGS;
    return Mono.fromCallable(
            () -> embeddings
                ? target.adapter().buildEmbeddingsRequest(request, target.model().upstreamModel())
                : target.adapter().buildRequest(request, target.model().upstreamModel(), params, false))
        .flatMap(
            call ->
                send(target, call, request.getCorrelationId())
                    .responseSingle(
                        (response, body) ->
                            body.asByteArray()
                                .defaultIfEmpty(EMPTY)
                                .map(bytes -> toReply(target, response, bytes, embeddings))
                                .map(reply -> embeddings
                                    ? EmbeddingInputs.checked(reply, request.getMessages().size())
                                    : reply)))
        .timeout(totalTimeout)
        .onErrorMap(ProviderClient::classify);
  }

  /** One streaming attempt: the provider's deltas in order, then completion. */
  public Flux<StreamDelta> stream(
      final ProviderTarget target, final ChatRequest request, final Map<String, String> params) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(request, "request");
    return Flux.defer(
        () -> {
          final AtomicBoolean emitted = new AtomicBoolean();
          final long deadline = System.nanoTime() + totalTimeout.toNanos();
          return Mono.fromCallable(
                  () -> target.adapter().buildRequest(request, target.model().upstreamModel(), params, true))
              .flatMapMany(
                  call -> send(target, call, request.getCorrelationId())
                      .response((response, body) -> deltas(target, response, body)))
              .timeout(Mono.delay(totalTimeout), delta -> Mono.delay(remaining(deadline)))
              .doOnNext(delta -> emitted.set(true))
              .onErrorMap(ProviderClient::classify)
              .onErrorMap(
                  ProviderFailure.class,
                  failure -> emitted.get() ? failure.asInterrupted() : failure);
        });
  }

  @Override
  public void close() {
    pool.dispose();
    eventLoops.dispose();
  }

  /**
   * The request id goes along as OpenAI's {@code X-Client-Request-Id}, so a provider's logs (and the
   * simulator's call ledger) can tell repeated calls for one request apart from distinct requests.
   */
  private HttpClient.ResponseReceiver<?> send(
      final ProviderTarget target, final ProviderRequest call, final String correlationId) {
    final Map<String, String> auth =
        target.apiKey().map(key -> target.adapter().authHeaders(key.reveal())).orElse(Map.of());
    return http.headers(
            headers -> {
              call.headers().forEach(headers::set);
              auth.forEach(headers::set);
              headers.set(CLIENT_REQUEST_ID_HEADER, correlationId);
            })
        .post()
        .uri(target.endpoint().resolve(call.path()))
        .send(Mono.fromCallable(() -> Unpooled.wrappedBuffer(call.body())));
  }

  private static ProviderReply toReply(
      final ProviderTarget target,
      final HttpClientResponse response,
      final byte[] body,
      final boolean embeddings) {
    final int status = response.status().code();
    if (status / 100 != 2) {
      throw failure(target, status, response.responseHeaders(), body);
    }
    return embeddings
        ? target.adapter().parseEmbeddingsResponse(body)
        : target.adapter().parseResponse(body);
  }

  private static Flux<StreamDelta> deltas(
      final ProviderTarget target, final HttpClientResponse response, final ByteBufFlux body) {
    final int status = response.status().code();
    if (status / 100 != 2) {
      return body.aggregate()
          .asByteArray()
          .defaultIfEmpty(EMPTY)
          .flatMapMany(
              bytes -> Flux.error(failure(target, status, response.responseHeaders(), bytes)));
    }
    final SseDecoder sse = new SseDecoder();
    final StreamDecoder decoder = target.adapter().newStreamDecoder();
    return body.asByteArray()
        .concatMapIterable(bytes -> decode(decoder, sse.feed(bytes)))
        .concatWith(Flux.defer(() -> finish(decoder, sse)));
  }

  private static List<StreamDelta> decode(final StreamDecoder decoder, final List<SseEvent> events) {
    return events.stream().flatMap(event -> decoder.decode(event).stream()).toList();
  }

  private static Flux<StreamDelta> finish(final StreamDecoder decoder, final SseDecoder sse) {
    final List<StreamDelta> last = decode(decoder, sse.finish());
    if (!decoder.complete()) {
      return Flux.<StreamDelta>fromIterable(last)
          .concatWith(
              Flux.error(
                  ProviderFailure.of(ProviderFailure.Kind.CONNECTION, "stream ended before its end marker")));
    }
    return Flux.fromIterable(last);
  }

  private static ProviderFailure failure(
      final ProviderTarget target, final int status, final HttpHeaders headers, final byte[] body) {
    // The provider's text is kept for the log only (ChainErrors never sends it to the client),
    // and even there without the call's key or anything shaped like one.
    final String detail =
        status == 401 || status == 403
            ? "provider rejected the gateway's credentials"
            : ProviderErrorText.forLog(target.adapter().errorMessage(body), target.apiKey());
    return ProviderFailure.forStatus(status, RetryAfter.parse(headers), detail);
  }

  static Throwable classify(final Throwable error) {
    final Throwable cause = Exceptions.unwrap(error);
    if (cause instanceof ProviderFailure failure) {
      return failure;
    }
    if (cause instanceof TimeoutException || cause instanceof ReadTimeoutException) {
      return new ProviderFailure(
          ProviderFailure.Kind.TIMEOUT, 0, Optional.empty(), "timed out", cause);
    }
    if (cause instanceof IOException || cause instanceof ChannelException) {
      return new ProviderFailure(
          ProviderFailure.Kind.CONNECTION,
          0,
          Optional.empty(),
          "connection failed: " + cause.getClass().getSimpleName(),
          cause);
    }
    return ProviderFailure.invalidResponse("unexpected " + cause.getClass().getSimpleName(), cause);
  }

  private static Duration remaining(final long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }

  private static int timeoutMillis(final Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }
}
