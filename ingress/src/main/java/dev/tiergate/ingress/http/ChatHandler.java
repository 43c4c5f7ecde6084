package dev.tiergate.ingress.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.RequestTrace;
import dev.tiergate.ingress.limits.Admission;
import dev.tiergate.ingress.limits.RateLimitHeaders;
import dev.tiergate.ingress.reply.IdempotencyKey;
import dev.tiergate.ingress.reply.IdempotentAnswers;
import dev.tiergate.ingress.reply.ReplyCorrelator;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * One model endpoint ({@code POST /v1/chat/completions}, {@code POST /v1/messages}, {@code POST
 * /v1/embeddings}): authenticate,
 * read and normalize the body in the endpoint's dialect, publish through the {@link
 * ReplyCorrelator}, and answer with the completion (JSON or SSE). Nothing is published for a request
 * that fails authentication, validation or the model check.
 */
public final class ChatHandler implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

  /** The catalogue capability of models that serve embeddings, and nothing else. */
  public static final String EMBEDDINGS_CAPABILITY = "embeddings";

  private final ApiDialect dialect;
  private final boolean anthropicHeaders;
  private final HandlerContext context;

  /** @param dialect the endpoint's API: how bodies are read and replies and errors written */
  public ChatHandler(final ApiDialect dialect, final HandlerContext context) {
    this.dialect = Objects.requireNonNull(dialect, "dialect");
    this.anthropicHeaders = dialect.anthropicRateLimitHeaders();
    this.context = Objects.requireNonNull(context, "context");
  }

  @Override
  public Publisher<Void> apply(final HttpServerRequest request, final HttpServerResponse response) {
    final HeaderLookup headers = request.requestHeaders()::get;
    return HttpReplies.authenticated(context.keys(), headers, response, dialect,
        caller -> admit(caller, headers, request, response));
  }

  /** Admits the caller by its rate limits, then reads, normalizes and serves the body. */
  private Publisher<Void> admit(
      final Caller caller, final HeaderLookup headers, final HttpServerRequest request,
      final HttpServerResponse response) {
    // Limits are checked before the body is parsed: a refused caller costs no parsing. Its body
    // is still drained (discarded as it arrives), so the connection stays usable for its retry.
    final Admission admission = context.limiter().admit(caller);
    RateLimitHeaders.apply(response, admission, anthropicHeaders, Instant.now());
    if (!admission.admitted()) {
      return request.receive().then()
          .onErrorResume(error -> Mono.empty())
          .then(Mono.defer(() -> HttpReplies.error(response, admission.refusal(), null, dialect)));
    }
    return BodyReader.read(request, context.maxRequestBytes())
        .map(this::parse)
        .flatMap(body -> dialect.normalize(body, caller, headers)
            .flatMap(normalized -> serve(body, stamped(checked(normalized), headers), response)))
        .onErrorResume(error -> HttpReplies.error(response, error, null, dialect))
        .doFinally(signal -> admission.release());
  }

  private JsonNode parse(final byte[] bytes) {
    try {
      final JsonNode body = context.mapper().readTree(bytes);
      if (body == null || body.isMissingNode()) {
        throw GatewayException.invalidRequest(null, "The request body is empty.");
      }
      return body;
    } catch (JacksonException e) {
      throw GatewayException.invalidRequest(
          null, "The request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw GatewayException.invalidRequest(null, "The request body could not be read.");
    }
  }

  /**
   * An explicit model must be in the catalogue, and of the request's kind (an embeddings model for
   * embeddings, any other model for chat). With no catalogue at all (a service built without
   * the models topic) explicit ids pass and the router decides.
   */
  private ChatRequest checked(final ChatRequest request) {
    final String model = request.getRequestedModel();
    if (model == null || context.models().isEmpty()) {
      return request;
    }
    final ModelSpec spec =
        context.models().get(model).orElseThrow(() -> GatewayException.modelNotFound(model));
    final boolean embeddingsModel = spec.getCapabilities().contains(EMBEDDINGS_CAPABILITY);
    if (embeddingsModel != (request.getApiKind() == ApiKind.EMBEDDINGS)) {
      throw GatewayException.modelNotSupported(model, embeddingsModel
          ? "it is an embeddings model; use POST /v1/embeddings"
          : "it is not an embeddings model; see GET /v1/models for models with the embeddings capability");
    }
    return request;
  }

  /**
   * The request's deadline (reply timeout, shortened by the client's), and for a request with an
   * {@code Idempotency-Key} the correlation id of the attempt to serve: the first, or the one after
   * the last attempt that ended with nobody served.
   */
  private ChatRequest stamped(final ChatRequest request, final HeaderLookup headers) {
    request.setDeadline(ClientDeadline.of(headers, request.getReceivedAt(), context.replyTimeout()));
    final Optional<String> key = IdempotencyKey.from(headers);
    if (key.isPresent()) {
      int attempt = 1;
      String id = IdempotencyKey.correlationId(request.getTenant(), key.get(), attempt);
      while (attempt < IdempotencyKey.MAX_ATTEMPTS
          && context.answers().find(id).map(IdempotentAnswers::abandoned).orElse(false)) {
        attempt++;
        id = IdempotencyKey.correlationId(request.getTenant(), key.get(), attempt);
      }
      request.setCorrelationId(id);
    }
    return request;
  }

  /**
   * The reply events: a repeat of an idempotent request gets the stored answer, or waits for the
   * one in flight on this instance; anything else is published.
   */
  private Flux<ReplyEvent> replies(final ChatRequest request) {
    final String id = request.getCorrelationId();
    final ReplyCorrelator correlator = context.correlator();
    if (IdempotencyKey.isIdempotent(id)) {
      final IdempotentAnswers answers = context.answers();
      final Optional<ChatResponse> stored = answers.find(id);
      if (stored.isPresent()) {
        return Flux.just(new ReplyEvent.Final(stored.get()));
      }
      if (correlator.isPending(id)) {
        final Duration left = Duration.between(Instant.now(), request.getDeadline());
        return answers.await(id)
            .timeout(left.isNegative() ? Duration.ZERO : left, Mono.error(GatewayException::timeout))
            .map(response -> (ReplyEvent) new ReplyEvent.Final(response))
            .flux();
      }
    }
    return request.getStream() ? correlator.stream(request) : correlator.events(request);
  }

  private Mono<Void> serve(
      final JsonNode body, final ChatRequest request, final HttpServerResponse response) {
    final String id = request.getCorrelationId();
    if (!request.getStream()) {
      return replies(request)
          .ofType(ReplyEvent.Final.class)
          .map(ReplyEvent.Final::response)
          .next()
          .flatMap(reply -> HttpReplies.response(response, request, body, reply, dialect))
          .onErrorResume(error -> HttpReplies.error(response, error, id, dialect));
    }
    return replies(request)
        .switchOnFirst((first, events) -> streamOrError(first, events, request, body, response))
        .then();
  }

  /**
   * Before anything is sent a failure can still be a plain HTTP error; after, it is an SSE event.
   * A stream's overhead header counts up to its first event, less the provider's time to it.
   */
  private Publisher<Void> streamOrError(
      final Signal<? extends ReplyEvent> first,
      final Flux<ReplyEvent> events,
      final ChatRequest request,
      final JsonNode body,
      final HttpServerResponse response) {
    final String id = request.getCorrelationId();
    if (first.isOnError()) {
      return HttpReplies.error(response, first.getThrowable(), id, dialect);
    }
    if (first.get() instanceof ReplyEvent.Final reply && reply.response().getError() != null) {
      return HttpReplies.response(response, request, body, reply.response(), dialect);
    }
    return Mono.deferContextual(view -> {
      if (first.get() instanceof ReplyEvent.Final reply) {
        RequestTrace.of(view).overheadHeader(response, reply.response().getProviderMicros());
        HttpReplies.routingHeaders(response, reply.response());
      } else if (first.get() instanceof ReplyEvent.Chunk chunk) {
        RequestTrace.of(view).overheadHeader(response, chunk.chunk().getProviderMicros());
        HttpReplies.streamHeaders(response, chunk.chunk(), request.getTier());
      }
      context.metrics().streamOpened();
      return response
          .sse()
          .header(RequestTrace.REQUEST_ID_HEADER, id)
          .sendString(dialect.stream(request, body, events))
          .then()
          .doFinally(signal -> context.metrics().streamClosed());
    });
  }
}
