package dev.tiergate.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * POSTs a JSON body to one URL with a non-blocking Reactor Netty client and a large connection pool,
 * so the generator never queues requests on its own side; the body is read fully before the request
 * counts as answered, or, for a streamed request, handed piece by piece to its timeline as it
 * arrives.
 */
public final class HttpTarget implements Target, AutoCloseable {

  /** Connections per target unless asked for more: far above what the fixed rates keep open. */
  public static final int DEFAULT_CONNECTIONS = 4096;
  /** The header Tiergate names a request's correlation id in. */
  public static final String REQUEST_ID_HEADER = "x-tiergate-request-id";

  private final ConnectionProvider pool;
  /** The generator's own event loops, so its CPU is told apart from the gateway's. */
  private final LoopResources eventLoops;
  private final HttpClient client;
  private final String url;
  private final LongFunction<String> body;
  /** Told of every answer read in full: its request-id header (or null) and the wall-clock ms. */
  private volatile BiConsumer<String, Long> onAnswer = (id, at) -> {};
  /** Told of every stream that ended: its request-id header (or null) and its timeline. */
  private volatile BiConsumer<String, StreamTimeline> onStream = (id, timeline) -> {};

  /**
   * @param url absolute URL to POST to
   * @param headers sent with every request (besides {@code Content-Type: application/json})
   * @param body the JSON body of request {@code sequence}
   */
  public HttpTarget(
      final String name,
      final String url,
      final Map<String, String> headers,
      final LongFunction<String> body) {
    this(name, url, headers, body, DEFAULT_CONNECTIONS);
  }

  /** @param maxConnections connections the target may hold open at once */
  public HttpTarget(
      final String name,
      final String url,
      final Map<String, String> headers,
      final LongFunction<String> body,
      final int maxConnections) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(headers, "headers");
    this.url = Objects.requireNonNull(url, "url");
    this.body = Objects.requireNonNull(body, "body");
    this.pool =
        ConnectionProvider.builder("bench-" + name)
            .maxConnections(maxConnections)
            .pendingAcquireMaxCount(-1)
            .pendingAcquireTimeout(Duration.ofMinutes(1))
            .build();
    this.eventLoops = LoopResources.create("bench-http-" + name);
    this.client =
        HttpClient.create(pool)
            .runOn(eventLoops)
            .responseTimeout(Duration.ofSeconds(60))
            .headers(
                h -> {
                  h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                  headers.forEach(h::set);
                });
  }

  @Override
  public CompletionStage<Integer> send(final long sequence) {
    return post(sequence)
        .responseSingle((response, content) -> content.asByteArray()
            .defaultIfEmpty(new byte[0])
            .map(bytes -> {
              onAnswer.accept(response.responseHeaders().get(REQUEST_ID_HEADER), System.currentTimeMillis());
              return response.status().code();
            }))
        .toFuture();
  }

  /**
   * From now on, each answer of {@link #send} is reported with the value of its {@code
   * x-tiergate-request-id} header (null when it has none) and when it was read in full (epoch ms).
   */
  public void onAnswer(final BiConsumer<String, Long> listener) {
    this.onAnswer = Objects.requireNonNull(listener, "listener");
  }

  /**
   * From now on, each stream of {@link #stream} that ended is reported with the value of its {@code
   * x-tiergate-request-id} header (null when it has none) and its timeline.
   */
  public void onStream(final BiConsumer<String, StreamTimeline> listener) {
    this.onStream = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Sends one request whose body asks for a stream, feeding each piece of the answer to {@code
   * timeline} as it arrives; completes with the status once the answer has ended.
   */
  public CompletionStage<Integer> stream(final long sequence, final StreamTimeline timeline) {
    Objects.requireNonNull(timeline, "timeline");
    return post(sequence)
        .response((response, content) -> content.asByteArray()
            .doOnNext(piece -> timeline.bytes(piece, System.nanoTime()))
            .then(Mono.fromSupplier(() -> {
              onStream.accept(response.responseHeaders().get(REQUEST_ID_HEADER), timeline);
              return response.status().code();
            })))
        .single()
        .toFuture();
  }

  /** Sends one request and returns its body, for checks before a run. */
  public String fetchOnce(final long sequence) {
    return post(sequence)
        .responseSingle((response, content) -> content.asString()
            .defaultIfEmpty("")
            .map(text -> response.status().code() + " " + text))
        .block(Duration.ofSeconds(60));
  }

  /** Request {@code sequence}, ready to send. */
  private HttpClient.ResponseReceiver<?> post(final long sequence) {
    final ByteBuf payload =
        Unpooled.wrappedBuffer(body.apply(sequence).getBytes(StandardCharsets.UTF_8));
    return client.post().uri(url).send(Mono.just(payload));
  }

  @Override
  public void close() {
    pool.disposeLater().block(Duration.ofSeconds(10));
    eventLoops.disposeLater().block(Duration.ofSeconds(10));
  }
}
