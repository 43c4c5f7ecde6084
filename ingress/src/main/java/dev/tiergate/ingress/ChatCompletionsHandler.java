package dev.tiergate.ingress;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.schemas.ChatRequest;
import java.io.IOException;
import java.util.Objects;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code POST /v1/chat/completions}: authenticate, read and normalize the body, publish through the
 * {@link ReplyCorrelator}, and answer with the completion (JSON or SSE). Nothing is published for a
 * request that fails authentication or validation.
 */
final class ChatCompletionsHandler
    implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

  private final VirtualKeys keys;
  private final OpenAiChatNormalizer normalizer;
  private final ReplyCorrelator correlator;
  private final ObjectMapper mapper;
  private final HttpReplies replies;
  private final int maxRequestBytes;

  ChatCompletionsHandler(
      final VirtualKeys keys,
      final OpenAiChatNormalizer normalizer,
      final ReplyCorrelator correlator,
      final ObjectMapper mapper,
      final HttpReplies replies,
      final int maxRequestBytes) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
    this.correlator = Objects.requireNonNull(correlator, "correlator");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.replies = Objects.requireNonNull(replies, "replies");
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  public Publisher<Void> apply(final HttpServerRequest request, final HttpServerResponse response) {
    final HeaderLookup headers = request.requestHeaders()::get;
    final Caller caller = keys.authenticate(headers).orElse(null);
    if (caller == null) {
      return replies.error(response, GatewayException.unauthorized(), null);
    }
    return BodyReader.read(request, maxRequestBytes)
        .map(this::parse)
        .flatMap(body -> serve(body, normalizer.normalize(body, caller, headers), response))
        .onErrorResume(error -> replies.error(response, error, null));
  }

  private JsonNode parse(final byte[] bytes) {
    try {
      final JsonNode body = mapper.readTree(bytes);
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

  private Mono<Void> serve(
      final JsonNode body, final ChatRequest request, final HttpServerResponse response) {
    final String id = request.getCorrelationId();
    if (!request.getStream()) {
      return correlator
          .call(request)
          .flatMap(reply -> replies.response(response, reply))
          .onErrorResume(error -> replies.error(response, error, id));
    }
    final boolean includeUsage = OpenAiChatNormalizer.includeUsage(body);
    return correlator
        .stream(request)
        .switchOnFirst(
            (first, events) -> streamOrError(first, events, request, includeUsage, response))
        .then();
  }

  /** Before anything is sent a failure can still be a plain HTTP error; after, it is an SSE event. */
  private Publisher<Void> streamOrError(
      final Signal<? extends ReplyEvent> first,
      final Flux<ReplyEvent> events,
      final ChatRequest request,
      final boolean includeUsage,
      final HttpServerResponse response) {
    final String id = request.getCorrelationId();
    if (first.isOnError()) {
      return replies.error(response, first.getThrowable(), id);
    }
    if (first.get() instanceof ReplyEvent.Final reply && reply.response().getError() != null) {
      return replies.response(response, reply.response());
    }
    final OpenAiStream stream =
        new OpenAiStream(
            replies.json(), id, modelOf(request), request.getReceivedAt(),
            includeUsage, HttpReplies::asGatewayError);
    return response
        .sse()
        .header(HttpReplies.REQUEST_ID_HEADER, id)
        .sendString(stream.render(events))
        .then();
  }

  /** The model to show until the pipeline names the one that serves: the one asked for. */
  private static String modelOf(final ChatRequest request) {
    return request.getRequestedModel() != null
        ? request.getRequestedModel()
        : "auto/" + request.getTier();
  }
}
