package dev.tiergate.stack.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.RateLimitException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, unmodified, must not be able to tell the simulator from OpenAI. */
class OfficialOpenAiSdkTest {

  private static ProviderSimulator simulator;
  private static OpenAIClient client;

  @BeforeAll
  static void startSimulator() {
    simulator = ProviderSimulator.start(SimulatorConfig.defaults());
    client = sdk(simulator, 0);
  }

  @AfterAll
  static void stopSimulator() {
    client.close();
    simulator.close();
  }

  @Test
  void sdkParsesACompletionWithUsageDetails() {
    final ChatCompletion completion =
        client.chat().completions().create(params("gpt-4.1-mini", "Summarise the change").build());

    assertThat(completion.model()).isEqualTo("gpt-4.1-mini");
    final ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(choice.message().content())
        .hasValueSatisfying(c -> assertThat(c).startsWith("Simulated reply from gpt-4.1-mini"));
    final CompletionUsage usage = completion.usage().orElseThrow();
    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    assertThat(usage.promptTokensDetails().flatMap(CompletionUsage.PromptTokensDetails::cachedTokens))
        .contains(0L);
  }

  @Test
  void sdkStreamsContentAndTheFinalUsageChunk() {
    final ChatCompletionCreateParams params =
        params("gpt-4.1-mini", "Stream the summary")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
    final List<ChatCompletionChunk> chunks;
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(params)) {
      chunks = stream.stream().collect(Collectors.toList());
    }

    final String streamed =
        chunks.stream()
            .flatMap(c -> c.choices().stream())
            .map(choice -> choice.delta().content().orElse(""))
            .collect(Collectors.joining());
    final String whole =
        client.chat().completions().create(params("gpt-4.1-mini", "Stream the summary").build())
            .choices().get(0).message().content().orElseThrow();
    assertThat(streamed).isEqualTo(whole);
    final ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isPositive());
  }

  @Test
  void sdkReadsAToolCall() {
    final ChatCompletionFunctionTool tool =
        ChatCompletionFunctionTool.builder()
            .function(
                FunctionDefinition.builder()
                    .name("read_file")
                    .parameters(
                        FunctionParameters.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty(
                                "properties",
                                JsonValue.from(Map.of("path", Map.of("type", "string"))))
                            .putAdditionalProperty("required", JsonValue.from(List.of("path")))
                            .build())
                    .build())
            .build();

    final ChatCompletion completion =
        client.chat().completions()
            .create(params("gpt-4.1", "Call the tool on README.md").addTool(tool).build());

    final ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    final Optional<ChatCompletionMessageFunctionToolCall> call =
        choice.message().toolCalls().orElseThrow().get(0).function();
    assertThat(call).hasValueSatisfying(c -> {
      assertThat(c.function().name()).isEqualTo("read_file");
      assertThat(c.function().arguments()).isEqualTo("{\"path\":\"sim-path\"}");
    });
  }

  @Test
  void sdkSurfacesAForced429AsRateLimitException() {
    final ChatCompletionCreateParams params =
        params("gpt-4.1", "hi").putAdditionalHeader("x-sim-fail", "429").build();

    assertThatThrownBy(() -> client.chat().completions().create(params))
        .isInstanceOfSatisfying(RateLimitException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(429);
          assertThat(e.code()).contains("rate_limit_exceeded");
        });
  }

  @Test
  void sdkRetriesInjectedRateLimitsUntilItSucceeds() {
    final SimulatorConfig flaky =
        SimulatorConfig.defaults().withFailures(0.4, 1.0, 5L).withRetryAfter(Duration.ofMillis(5));
    try (ProviderSimulator sim = ProviderSimulator.start(flaky)) {
      final OpenAIClient retrying = sdk(sim, 6);
      try {
        for (int i = 0; i < 10; i++) {
          assertThat(retrying.chat().completions().create(params("m", "call " + i).build())
                  .choices()).hasSize(1);
        }
      } finally {
        retrying.close();
      }
      assertThat(sim.calls("m")).isGreaterThan(10);
    }
  }

  private static ChatCompletionCreateParams.Builder params(final String model, final String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  private static OpenAIClient sdk(final ProviderSimulator sim, final int maxRetries) {
    return OpenAIOkHttpClient.builder()
        .apiKey("sk-test-not-a-real-key")
        .baseUrl(sim.baseUrl() + "/v1")
        .maxRetries(maxRetries)
        .timeout(Duration.ofSeconds(30))
        .build();
  }
}
