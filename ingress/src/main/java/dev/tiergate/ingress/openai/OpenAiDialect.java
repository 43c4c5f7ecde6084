package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.http.NormalizingDialect;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import reactor.core.publisher.Flux;

/** OpenAI Chat Completions: {@code chat.completion} bodies, chunk SSE ending in {@code [DONE]}. */
public final class OpenAiDialect extends NormalizingDialect {

  private final OpenAiJson json;

  public OpenAiDialect(final OpenAiChatNormalizer normalizer, final OpenAiJson json) {
    super(normalizer, json::error);
    this.json = json;
  }

  @Override
  public String completion(
      final ChatRequest request, final JsonNode body, final ChatResponse response) {
    return json.completion(response);
  }

  @Override
  public Flux<String> stream(
      final ChatRequest request, final JsonNode body, final Flux<ReplyEvent> events) {
    return OpenAiStream.of(json, request, OpenAiChatNormalizer.includeUsage(body)).render(events);
  }
}
