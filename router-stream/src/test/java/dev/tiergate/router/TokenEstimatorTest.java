package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolDefinition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

  private final TokenEstimator estimator = new TokenEstimator();

  @Test
  void countsTextToolsFramingAndOutputBudgetWithinTheUpperBound() {
    final ChatRequest request = request("The quick brown fox jumps over the lazy dog.", 100);

    final long estimate = estimator.estimate(request);

    // 10 text tokens (o200k) + 4 framing + tool name/schema tokens + 100 reserved for output.
    assertThat(estimate).isBetween(115L, 140L);
    assertThat(estimate).isLessThanOrEqualTo(TokenEstimator.upperBound(request));
  }

  @Test
  void longerTextCountsMoreTokens() {
    assertThat(estimator.estimate(request("word ".repeat(2_000), 0)))
        .isGreaterThan(estimator.estimate(request("word ".repeat(200), 0)) + 1_000);
  }

  private static ChatRequest request(final String text, final int maxTokens) {
    return ChatRequest.newBuilder()
        .setCorrelationId("req_1").setSessionId("sess_1").setTenant("acme")
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build())).build()))
        .setTools(List.of(ToolDefinition.newBuilder().setName("grep")
            .setParametersJson("{\"type\":\"object\"}").build()))
        .setSampling(SamplingParams.newBuilder().setMaxTokens(maxTokens).build())
        .setReceivedAt(Instant.EPOCH)
        .build();
  }
}
