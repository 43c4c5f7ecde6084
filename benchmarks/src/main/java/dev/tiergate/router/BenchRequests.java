package dev.tiergate.router;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.time.Instant;
import java.util.List;

/** The requests the router benchmarks decide on: one user message, the same tenant and session. */
final class BenchRequests {

  /** When every benchmark request was received, and the clock its decision reads. */
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private BenchRequests() {}

  /** A request whose user message is {@code prompt}. */
  static ChatRequest request(
      final String tier, final String mode, final String model, final String prompt) {
    return request(tier, mode, model,
        List.of(ContentPart.newBuilder().setType(PartType.TEXT).setText(prompt).build()));
  }

  /** A request whose user message has these parts (none: the decision reads no prompt). */
  static ChatRequest request(
      final String tier, final String mode, final String model, final List<ContentPart> parts) {
    return ChatRequest.newBuilder()
        .setCorrelationId("req_bench")
        .setSessionId("ses_bench")
        .setTenant("acme")
        .setTier(tier)
        .setMode(mode)
        .setRequestedModel(model)
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(parts).build()))
        .setReceivedAt(NOW)
        .build();
  }
}
