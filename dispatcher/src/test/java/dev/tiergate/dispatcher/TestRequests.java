package dev.tiergate.dispatcher;

import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.SamplingParams;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builders for the requests the tests send. */
public final class TestRequests {

  public static final Instant RECEIVED = Instant.parse("2025-06-01T10:00:00Z");

  private TestRequests() {}

  public static ContentPart text(final String text) {
    return ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build();
  }

  public static Message message(final String role, final ContentPart... parts) {
    return Message.newBuilder().setRole(role).setParts(List.of(parts)).build();
  }

  public static ChatRequest.Builder chat(final String correlationId) {
    return ChatRequest.newBuilder()
        .setCorrelationId(correlationId)
        .setSessionId("sess_1")
        .setTenant("acme")
        .setMode("code")
        .setTier("balanced")
        .setFeature("autocomplete")
        .setApiKind(ApiKind.OPENAI_CHAT)
        .setMessages(List.of(message("user", text("Say hi"))))
        .setSampling(SamplingParams.newBuilder().build())
        .setBatchId("batch_7")
        .setBatchItemId("item_3")
        .setReceivedAt(RECEIVED);
  }

  public static RoutedRequest routed(final ChatRequest request, final String... chain) {
    return RoutedRequest.newBuilder()
        .setRequest(request)
        .setDecision(
            RoutingDecision.newBuilder()
                .setModelChain(List.of(chain))
                .setTier("balanced")
                .setMode("code")
                .setRuleKey("balanced/code")
                .setReason("rule")
                .setParams(Map.of())
                .setRoutedAt(RECEIVED)
                .build())
        .build();
  }

  public static RoutedRequest routed(final String correlationId, final String... chain) {
    return routed(chat(correlationId).build(), chain);
  }
}
