package dev.tiergate.ingress.openai;

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

/** OpenAI Chat Completions: {@code chat.completion} bodies, chunk SSE ending in {@code [DONE]}. */
public final class OpenAiDialect implements ApiDialect {

  private final OpenAiChatNormalizer normalizer;
  private final OpenAiJson json;

  public OpenAiDialect(final OpenAiChatNormalizer normalizer, final OpenAiJson json) {
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
    return json.completion(response);
  }

  @Override
  public String error(final GatewayException error) {
    return json.error(error);
  }

  @Override
  public Flux<String> stream(
      final ChatRequest request, final JsonNode body, final Flux<ReplyEvent> events) {
    final OpenAiStream stream =
        new OpenAiStream(
            json, request.getCorrelationId(), ApiDialect.modelOf(request), request.getReceivedAt(),
            OpenAiChatNormalizer.includeUsage(body), HttpReplies::asGatewayError);
    return stream.render(events);
  }
}
