package dev.tiergate.ingress.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.http.ApiDialect;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Anthropic Messages: {@code message} bodies, the named-event stream, Anthropic's error shape. */
public final class AnthropicDialect implements ApiDialect {

  private final AnthropicNormalizer normalizer;
  private final AnthropicJson json;

  public AnthropicDialect(final AnthropicNormalizer normalizer, final AnthropicJson json) {
    this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
    this.json = Objects.requireNonNull(json, "json");
  }

  @Override
  public Mono<ChatRequest> normalize(
      final JsonNode body, final Caller caller, final HeaderLookup headers) {
    return Mono.fromCallable(() -> normalizer.normalize(body, caller, headers));
  }

  @Override
  public String completion(
      final ChatRequest request, final JsonNode body, final ChatResponse response) {
    return json.message(response);
  }

  @Override
  public String error(final GatewayException error) {
    return json.error(error);
  }

  @Override
  public Flux<String> stream(
      final ChatRequest request, final JsonNode body, final Flux<ReplyEvent> events) {
    return new AnthropicStream(
            json, request.getCorrelationId(), ApiDialect.modelOf(request),
            HttpReplies::asGatewayError)
        .render(events);
  }

  @Override
  public boolean anthropicRateLimitHeaders() {
    return true;
  }
}
