package dev.tiergate.ingress.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.http.ApiDialect;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.http.NormalizingDialect;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import reactor.core.publisher.Flux;

/** Anthropic Messages: {@code message} bodies, the named-event stream, Anthropic's error shape. */
public final class AnthropicDialect extends NormalizingDialect {

  private final AnthropicJson json;

  public AnthropicDialect(final AnthropicNormalizer normalizer, final AnthropicJson json) {
    super(normalizer, json::error);
    this.json = json;
  }

  @Override
  public String completion(
      final ChatRequest request, final JsonNode body, final ChatResponse response) {
    return json.message(response);
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
