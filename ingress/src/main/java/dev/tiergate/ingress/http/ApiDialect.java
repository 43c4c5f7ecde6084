package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One client-facing wire format (OpenAI Chat Completions, Anthropic Messages): how its bodies
 * become a {@link ChatRequest} and how replies and errors are written back. The HTTP handling
 * around it (auth, body limit, correlation) is the same for every dialect.
 */
public interface ApiDialect {

  /**
   * The normalized request, with a fresh correlation id, once whatever the body refers to has been
   * looked up (a stored conversation); fails with a {@link GatewayException} 4xx for a body the
   * caller got wrong.
   */
  Mono<ChatRequest> normalize(JsonNode body, Caller caller, HeaderLookup headers);

  /** The whole (non-streamed) answer to this request. */
  String completion(ChatRequest request, JsonNode body, ChatResponse response);

  /** The dialect's error body. */
  String error(GatewayException error);

  /** The SSE frames for one streamed request's reply events; a failure becomes an error event. */
  Flux<String> stream(ChatRequest request, JsonNode body, Flux<ReplyEvent> events);

  /** Whether quotas also go out as Anthropic's {@code anthropic-ratelimit-*} headers. */
  default boolean anthropicRateLimitHeaders() {
    return false;
  }

  /** The model to show until the pipeline names the one that serves: the one asked for. */
  static String modelOf(final ChatRequest request) {
    return request.getRequestedModel() != null
        ? request.getRequestedModel()
        : "auto/" + request.getTier();
  }
}
