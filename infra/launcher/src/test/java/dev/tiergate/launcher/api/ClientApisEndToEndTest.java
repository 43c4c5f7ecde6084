package dev.tiergate.launcher.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.BadRequestException;
import com.openai.errors.PermissionDeniedException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.tiergate.launcher.TiergateCli;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.stack.simulator.CallLedger;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The client-facing APIs on the whole embedded stack (broker, registry, simulator, all services):
 * the official OpenAI and Anthropic SDKs as real callers, each changed only in base URL and key;
 * the key CLI creating, limiting and revoking a key those SDKs then use; and the OpenRouter-style
 * API replaying requests shaped like a Kilo Code agent's.
 */
class ClientApisEndToEndTest {

  private static final String DEMO_KEY = "tg-demo-key";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  private static TiergateStack stack;
  private static OpenAIClient openAi;
  private static AnthropicClient anthropic;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, WAIT));
    openAi = openAiClient(DEMO_KEY);
    anthropic = anthropicClient(DEMO_KEY);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static OpenAIClient openAiClient(final String key) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(stack.ingressUrl() + "/v1")
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  private static AnthropicClient anthropicClient(final String key) {
    return AnthropicOkHttpClient.builder()
        .baseUrl(stack.ingressUrl())
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  @Test
  void openAiSdkGetsAPlainCompletionFromTheRoutedModel() {
    final ChatCompletion completion =
        openAi.chat().completions().create(
            ChatCompletionCreateParams.builder()
                .model("auto/frontier")
                .addUserMessage("Plan the billing migration")
                .putAdditionalHeader("x-tiergate-mode", "plan")
                .build());

    // Served by the Anthropic adapter (frontier/plan), answered to the OpenAI SDK in its format.
    assertThat(completion.model()).isEqualTo("anthropic/claude-sonnet-4.5");
    assertThat(completion.choices().get(0).message().content())
        .hasValueSatisfying(text -> assertThat(text).contains("Plan the billing migration"));
    assertThat(completion.usage()).hasValueSatisfying(u -> assertThat(u.promptTokens()).isPositive());
  }

  @Test
  void openAiSdkEmbedsStringsAsFloatsAndAsBase64Alike() {
    final List<String> texts = List.of("Tiergate routes embeddings", "to embeddings models only");
    final CreateEmbeddingResponse floats = openAi.embeddings().create(
        EmbeddingCreateParams.builder().model("auto/balanced").inputOfArrayOfStrings(texts)
            .dimensions(64).encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
    final CreateEmbeddingResponse base64 = openAi.embeddings().create(
        EmbeddingCreateParams.builder().model("auto/balanced").inputOfArrayOfStrings(texts)
            .dimensions(64).encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());

    assertThat(floats.model()).isEqualTo("openai/text-embedding-3-small");
    assertThat(floats.data()).hasSize(2);
    assertThat(floats.data().get(1).index()).isEqualTo(1);
    final List<Float> first = floats.data().get(0).embedding();
    assertThat(first).hasSize(64);
    assertThat(first.stream().mapToDouble(v -> v * v).sum()).isCloseTo(1.0, within(1e-4));
    assertThat(floats.data().get(1).embedding()).isNotEqualTo(first);
    // The simulator counts ceil(characters / 4) per input: 26 and 25 characters.
    assertThat(floats.usage().promptTokens()).isEqualTo(7 + 7);
    assertThat(floats.usage().totalTokens()).isEqualTo(14);
    // The SDK decodes base64 as little-endian float32: the very same floats come back.
    assertThat(base64.data().get(0).embeddingValue().isBase64()).isTrue();
    assertThat(base64.data().get(0).embedding()).isEqualTo(first);
  }

  @Test
  void embeddingsAreBilledOnInputTokensAloneExactlyOnceAcrossAnIdempotentRetry() throws Exception {
    // 4,000 characters is 1,000 simulator tokens; 2,000 tokens at $0.02/M is 40 micro-dollars.
    final String text = "a".repeat(4_000);
    final EmbeddingCreateParams params =
        EmbeddingCreateParams.builder().model("openai/text-embedding-3-small")
            .inputOfArrayOfStrings(List.of(text, text))
            .putAdditionalHeader("x-tiergate-feature", "embeddings-billing")
            .putAdditionalHeader("Idempotency-Key", "embeddings-billing-0001").build();
    final HttpResponseFor<CreateEmbeddingResponse> first =
        openAi.embeddings().withRawResponse().create(params);
    final HttpResponseFor<CreateEmbeddingResponse> retry =
        openAi.embeddings().withRawResponse().create(params);

    final CreateEmbeddingResponse response = first.parse();
    assertThat(response.usage().promptTokens()).isEqualTo(2_000);
    assertThat(retry.parse().data().get(1).embedding()).isEqualTo(response.data().get(1).embedding());
    final String id = first.headers().values("x-tiergate-request-id").get(0);
    assertThat(retry.headers().values("x-tiergate-request-id")).containsExactly(id);
    assertThat(stack.simulator().ledger().get(id).map(CallLedger.Entry::started)).contains(1L);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      final JsonNode row = row(spend("feature", "total"), "embeddings-billing");
      assertThat(row.path("requests").asLong()).isEqualTo(1);
      assertThat(row.path("costMicros").asLong()).isEqualTo(40);
    });
  }

  @Test
  void geminiEmbeddingsModelServesThroughTheSameEndpoint() {
    final CreateEmbeddingResponse response = openAi.embeddings().create(
        EmbeddingCreateParams.builder().model("google/gemini-embedding-001")
            .input("Gemini speaks batchEmbedContents").dimensions(32).build());

    assertThat(response.model()).isEqualTo("google/gemini-embedding-001");
    assertThat(response.data()).singleElement()
        .satisfies(embedding -> assertThat(embedding.embedding()).hasSize(32));
    // Gemini reports no token counts for embeddings; the dispatcher estimates them.
    assertThat(response.usage().promptTokens()).isPositive();
  }

  @Test
  void aChatModelForEmbeddingsOrAnEmbeddingsModelForChatIsA400() {
    assertThatThrownBy(() -> openAi.embeddings().create(
            EmbeddingCreateParams.builder().model("openai/gpt-5-mini").input("hello").build()))
        .isInstanceOfSatisfying(BadRequestException.class, error -> {
          assertThat(error.statusCode()).isEqualTo(400);
          assertThat(error.code()).contains("model_not_supported");
          assertThat(error.param()).contains("model");
          assertThat(error.getMessage()).contains("not an embeddings model");
        });
    assertThatThrownBy(() -> openAi.chat().completions().create(
            ChatCompletionCreateParams.builder().model("openai/text-embedding-3-small")
                .addUserMessage("hello").build()))
        .isInstanceOfSatisfying(BadRequestException.class,
            error -> assertThat(error.code()).contains("model_not_supported"));
  }

  @Test
  void openAiSdkStreamsDeltasAndAFinalUsageChunk() {
    final StringBuilder text = new StringBuilder();
    final List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (var stream =
        openAi.chat().completions().createStreaming(
            ChatCompletionCreateParams.builder()
                .model("auto/balanced")
                .addUserMessage("Summarize the diff")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build())) {
      stream.stream().forEach(chunks::add);
    }
    chunks.forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));

    assertThat(chunks.size()).isGreaterThan(2);
    assertThat(text.toString()).contains("Summarize the diff");
    assertThat(chunks.get(chunks.size() - 1).usage())
        .hasValueSatisfying(u -> assertThat(u.completionTokens()).isPositive());
  }

  @Test
  void openAiSdkCompletesAToolCallRoundTrip() {
    final ChatCompletionCreateParams.Builder params =
        ChatCompletionCreateParams.builder()
            .model("auto/balanced")
            .addFunctionTool(weatherFunction())
            .addUserMessage("Use the tool to get the weather in Oslo");
    final ChatCompletion first = openAi.chat().completions().create(params.build());
    final var message = first.choices().get(0).message();
    assertThat(first.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
    final ChatCompletionMessageFunctionToolCall call =
        message.toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(call.function().arguments()).contains("\"city\"");

    final ChatCompletion second =
        openAi.chat().completions().create(
            params
                .addMessage(message)
                .addMessage(
                    ChatCompletionToolMessageParam.builder()
                        .toolCallId(call.id())
                        .content("{\"forecast\":\"sunny\"}")
                        .build())
                .build());

    assertThat(second.choices().get(0).finishReason().asString()).isEqualTo("stop");
    assertThat(second.choices().get(0).message().content()).isPresent();
    assertThat(second.choices().get(0).message().toolCalls().orElse(List.of())).isEmpty();
  }

  @Test
  void openAiSdkListsVirtualTiersAndCatalogueModels() {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              final List<String> ids =
                  openAi.models().list().data().stream().map(Model::id).toList();
              assertThat(ids)
                  .contains("auto", "auto/frontier", "auto/balanced", "auto/free", "auto/small")
                  .contains("openai/gpt-5", "openai/gpt-5-mini");
            });
  }

  @Test
  void anthropicSdkGetsAPlainMessage() {
    final Message message =
        anthropic.messages().create(
            MessageCreateParams.builder()
                .model("auto/balanced")
                .maxTokens(512)
                .system("You are terse.")
                .addUserMessage("Explain the retry policy")
                .build());

    assertThat(message.content()).hasSize(1);
    assertThat(message.content().get(0).text().orElseThrow().text())
        .contains("Explain the retry policy");
    assertThat(message.stopReason()).contains(StopReason.END_TURN);
    assertThat(message.usage().outputTokens()).isPositive();
    assertThat(message.model().asString()).isEqualTo("openai/gpt-5-mini");
  }

  @Test
  void anthropicSdkStreamsTheMessageEventSequence() {
    final MessageAccumulator accumulator = MessageAccumulator.create();
    final List<RawMessageStreamEvent> events = new ArrayList<>();
    try (var stream =
        anthropic.messages().createStreaming(
            MessageCreateParams.builder()
                .model("auto/free")
                .maxTokens(512)
                // Not a side call the router would recognise (a commit message would go to small).
                .addUserMessage("Explain how the dispatcher retries a failed provider call")
                .build())) {
      stream.stream().peek(accumulator::accumulate).forEach(events::add);
    }

    assertThat(events.get(0).isMessageStart()).isTrue();
    assertThat(events.get(1).isContentBlockStart()).isTrue();
    // At least one delta: how finely the simulator splits a short reply depends on the model the
    // free tier picks (the CI run saw a single delta), not on the SSE translation tested here.
    assertThat(events.stream().filter(RawMessageStreamEvent::isContentBlockDelta).count())
        .isPositive();
    assertThat(events.get(events.size() - 2).isMessageDelta()).isTrue();
    assertThat(events.get(events.size() - 1).isMessageStop()).isTrue();
    final Message message = accumulator.message();
    assertThat(message.content().get(0).text().orElseThrow().text())
        .contains("Explain how the dispatcher retries");
    assertThat(message.stopReason()).contains(StopReason.END_TURN);
    assertThat(message.usage().outputTokens()).isPositive();
  }

  @Test
  void anthropicSdkCompletesAToolUseRoundTrip() {
    final MessageCreateParams.Builder params =
        MessageCreateParams.builder()
            .model("auto/balanced")
            .maxTokens(512)
            .addTool(weatherTool())
            .addUserMessage("Use the tool to get the weather in Bergen");
    final Message first = anthropic.messages().create(params.build());
    assertThat(first.stopReason()).contains(StopReason.TOOL_USE);
    final ToolUseBlock toolUse =
        first.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse();
    assertThat(toolUse.name()).isEqualTo("get_weather");
    assertThat(toolUse._input().toString()).contains("city");

    final Message second =
        anthropic.messages().create(
            params
                .addMessage(first)
                .addUserMessageOfContentBlockParams(
                    List.of(
                        ContentBlockParam.ofToolResult(
                            ToolResultBlockParam.builder()
                                .toolUseId(toolUse.id())
                                .content("sunny, 14 C")
                                .build())))
                .build());

    assertThat(second.stopReason()).contains(StopReason.END_TURN);
    assertThat(second.content().stream().filter(ContentBlock::isText).count()).isEqualTo(1);
  }

  @Test
  void keyFromTheCliAuthenticatesIsLimitedToItsTiersAndStopsWorkingWhenRevoked() {
    final String key =
        cli("keys", "create", "--tenant", "acme", "--default-tier", "small",
                "--allowed-tiers", "free,small", "--label", "ci")
            .trim();
    assertThat(key).startsWith("tg-");
    assertThat(cli("keys", "list")).contains(key.substring(0, 11)).contains("acme").contains("active");
    final OpenAIClient acme = openAiClient(key);
    final ChatCompletionCreateParams small =
        ChatCompletionCreateParams.builder().model("auto").addUserMessage("Tidy imports").build();

    await().atMost(WAIT).ignoreExceptions()
        .untilAsserted(() -> assertThat(acme.chat().completions().create(small).model())
            .isEqualTo("openai/gpt-5-nano"));
    assertThatThrownBy(
            () -> acme.chat().completions().create(
                ChatCompletionCreateParams.builder()
                    .model("auto/frontier").addUserMessage("Plan everything").build()))
        .isInstanceOf(PermissionDeniedException.class);
    assertThat(acme.models().list().data().stream().map(Model::id).collect(Collectors.toList()))
        .contains("auto/free", "auto/small")
        .doesNotContain("auto/frontier", "auto/balanced");

    assertThat(cli("keys", "revoke", key.substring(0, 11))).contains("Revoked");
    await().atMost(WAIT)
        .untilAsserted(() -> assertThatThrownBy(() -> acme.chat().completions().create(small))
            .isInstanceOf(com.openai.errors.UnauthorizedException.class));
    assertThat(cli("keys", "list")).contains("revoked");
  }

  @Test
  void rejectedRequestsOfBothApisGetTheirErrorShapeAndNeverReachKafka() throws Exception {
    await().atMost(WAIT).until(() -> openAi.models().list().data().size() > 5);
    final long before = requestsPublished();
    final String chat = "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    final String message =
        "{\"model\":\"auto\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    assertRejected("/v1/chat/completions", DEMO_KEY, "{\"model\":", 400, "/error/type", "invalid_request_error");
    assertRejected("/v1/chat/completions", DEMO_KEY, "{\"model\":\"auto\"}", 400, "/error/param", "messages");
    assertRejected("/v1/chat/completions", "tg-wrong", chat, 401, "/error/type", "authentication_error");
    assertRejected("/v1/chat/completions", null, chat, 401, "/error/code", "invalid_api_key");
    assertRejected("/v1/chat/completions", DEMO_KEY, chat.replace("\"auto\"", "\"acme/unknown-model\""),
        404, "/error/code", "model_not_found");
    assertRejected("/v1/chat/completions", DEMO_KEY, chat.replace("\"auto\"", "\"auto/turbo\""),
        400, "/error/param", "model");
    assertRejected("/v1/messages", DEMO_KEY, "{\"model\":", 400, "/error/type", "invalid_request_error");
    assertRejected("/v1/messages", DEMO_KEY, message.replace("\"max_tokens\":64,", ""),
        400, "/error/type", "invalid_request_error");
    assertRejected("/v1/messages", "tg-wrong", message, 401, "/error/type", "authentication_error");
    assertRejected("/v1/messages", DEMO_KEY, message.replace("\"auto\"", "\"acme/unknown-model\""),
        404, "/error/type", "not_found_error");

    assertThat(requestsPublished()).isEqualTo(before);
  }

  @Test
  void streamsUseEachApisSseFramingOverRealHttp() throws Exception {
    final java.net.http.HttpResponse<String> anthropicStream =
        post("/v1/messages",
            "{\"model\":\"auto/balanced\",\"max_tokens\":8192,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Name the file\"}]}");
    final java.net.http.HttpResponse<String> openAiStream =
        post("/v1/chat/completions",
            "{\"model\":\"auto/balanced\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Name the file\"}]}");

    assertThat(anthropicStream.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/event-stream"));
    final List<String> events = anthropicStream.body().lines()
        .filter(line -> line.startsWith("event: ")).map(line -> line.substring(7)).toList();
    assertThat(events.get(0)).isEqualTo("message_start");
    assertThat(events.get(1)).isEqualTo("content_block_start");
    assertThat(events).contains("content_block_delta", "content_block_stop");
    assertThat(events.subList(events.size() - 2, events.size()))
        .containsExactly("message_delta", "message_stop");
    assertThat(anthropicStream.body()).doesNotContain("[DONE]");

    final List<String> frames = List.of(openAiStream.body().split("\n\n"));
    assertThat(frames).allSatisfy(frame -> assertThat(frame).startsWith("data: "));
    assertThat(frames.get(frames.size() - 1)).isEqualTo("data: [DONE]");
    assertThat(JSON.readTree(frames.get(frames.size() - 2).substring(6)).at("/usage/total_tokens").asLong())
        .isPositive();
  }

  private static java.net.http.HttpResponse<String> post(final String path, final String body)
      throws Exception {
    return HTTP.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.ingressUrl() + path))
            .timeout(WAIT)
            .header("content-type", "application/json")
            .header("authorization", "Bearer " + DEMO_KEY)
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void kiloAgentRequestsStreamThroughTheModeRouteWithCostAndSpendBrokenDownBySession()
      throws Exception {
    final String code = agentRequest("Rename the billing module");
    assertThat(code.length()).isGreaterThan(40_000);

    final KiloReply coding = kiloStream(code, "code", "task-sub-1");
    final KiloReply planning = kiloStream(agentRequest("Outline the migration"), "plan", "task-sub-2");

    assertThat(coding.model()).isEqualTo("openai/gpt-5-mini");
    assertThat(planning.model()).isEqualTo("anthropic/claude-sonnet-4.5");
    assertThat(coding.text()).contains("Rename the billing module");
    final JsonNode usage = coding.usage();
    assertThat(usage.path("prompt_tokens").asLong()).as("nothing truncated").isGreaterThan(9_000);
    // openai/gpt-5-mini in the default catalogue: $0.25 in, $0.025 cached, $2 out per million.
    final long cached = usage.at("/prompt_tokens_details/cached_tokens").asLong();
    final long micros =
        ((usage.path("prompt_tokens").asLong() - cached) * 250_000L + cached * 25_000L
                + usage.path("completion_tokens").asLong() * 2_000_000L + 500_000L) / 1_000_000L;
    assertThat(usage.path("cost").decimalValue())
        .isEqualByComparingTo(java.math.BigDecimal.valueOf(micros, 6));

    final dev.tiergate.schemas.UsageEvent recorded = usageEvent(coding.requestId());
    assertThat(recorded.getMode()).isEqualTo("code");
    assertThat(recorded.getSessionId()).isEqualTo("task-sub-1");
    assertThat(recorded.getParentSessionId()).isEqualTo("task-root");
    assertThat(recorded.getFeature()).isEqualTo("vscode-extension");
    assertThat(recorded.getProjectId()).isEqualTo("proj-billing");
    assertThat(recorded.getEditorName()).isEqualTo("Visual Studio Code");
    assertThat(recorded.getModel()).isEqualTo("openai/gpt-5-mini");

    // The spend recorded under session, parent session, feature and project, read back through the
    // accounting query API: each sub-agent task its own reply's cost, the parent task both.
    final long codingMicros = micros(coding.usage());
    final long planningMicros = micros(planning.usage());
    assertThat(codingMicros).isEqualTo(micros);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      final JsonNode parents = spend("parent_session", "total");
      assertThat(row(parents, "task-root").path("requests").asLong()).isEqualTo(2);
      assertThat(row(parents, "task-root").path("costMicros").asLong())
          .isEqualTo(codingMicros + planningMicros);
    });
    final JsonNode sessions = spend("session", "total");
    assertThat(row(sessions, "task-sub-1").path("costMicros").asLong()).isEqualTo(codingMicros);
    assertThat(row(sessions, "task-sub-1").path("requests").asLong()).isEqualTo(1);
    assertThat(row(sessions, "task-sub-2").path("costMicros").asLong()).isEqualTo(planningMicros);
    assertThat(row(spend("parent_session", "day"), "task-root").path("costMicros").asLong())
        .isEqualTo(codingMicros + planningMicros);
    for (final String[] dimension : new String[][] {
        {"feature", "vscode-extension"}, {"project", "proj-billing"}}) {
      final JsonNode row = row(spend(dimension[0], "total"), dimension[1]);
      assertThat(row.path("requests").asLong()).as(dimension[0]).isEqualTo(2);
      assertThat(row.path("costMicros").asLong()).as(dimension[0])
          .isEqualTo(codingMicros + planningMicros);
    }
  }

  /**
   * A Kilo client end to end: it signs in (profile, balance, defaults), sends a zstd-compressed
   * agent request over 64 KiB to {@code /api/gateway/v1/chat/completions}, a planning request to
   * {@code /api/openrouter/messages} and a Responses request to {@code /api/gateway/v1/responses},
   * all with Kilo's headers; the usage records carry them and the spend reads back by session,
   * project and organisation.
   */
  @Test
  void kiloClientSignsInSendsZstdBodiesOnBothPrefixesAndReadsSpendBySessionAndProject()
      throws Exception {
    final JsonNode profile = JSON.readTree(kiloGet("/api/profile").body());
    assertThat(profile.path("email").asText()).isEqualTo("demo@tiergate.invalid");
    assertThat(profile.path("organizations")).isEmpty();
    final JsonNode balance = JSON.readTree(kiloGet("/api/profile/balance").body());
    assertThat(balance.path("balance").decimalValue()).isPositive();
    final JsonNode defaults = JSON.readTree(kiloGet("/api/defaults").body());
    assertThat(defaults.path("defaultModel").asText()).isEqualTo("kilo-auto/balanced");
    assertThat(defaults.path("defaultFreeModel").asText()).isEqualTo("kilo-auto/free");

    final String session = "ses_kilo_" + java.util.UUID.randomUUID();
    final var request = (com.fasterxml.jackson.databind.node.ObjectNode)
        JSON.readTree(agentRequest("Rename the billing module"));
    request.put("stream", false).remove("usage");
    // A second file read earlier in the task takes the body past Kilo's 64 KiB compression mark.
    ((com.fasterxml.jackson.databind.node.ArrayNode) request.get("messages")).insert(1,
        JSON.createObjectNode().put("role", "user")
            .put("content", "<file>" + "row of data;\n".repeat(2_000) + "</file>"));
    final String body = request.toString();
    final byte[] plain = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(plain.length).isGreaterThan(64 * 1024);
    final java.io.ByteArrayOutputStream zstd = new java.io.ByteArrayOutputStream();
    try (var encoder = new com.github.luben.zstd.ZstdOutputStream(zstd)) {
      encoder.write(plain);
    }
    final HttpResponse<String> coding = HTTP.send(
        kiloPost("/api/gateway/v1/chat/completions", session, "code", "kilo-req-1")
            .header("content-encoding", "zstd")
            .POST(HttpRequest.BodyPublishers.ofByteArray(zstd.toByteArray()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(coding.statusCode()).as(coding.body()).isEqualTo(200);
    assertThat(coding.headers().firstValue("x-tiergate-model")).contains("openai/gpt-5-mini");
    assertThat(JSON.readTree(coding.body()).at("/choices/0/message/content").asText())
        .contains("Rename the billing module");

    final String messages = JSON.createObjectNode()
        .put("model", "kilo-auto/frontier").put("max_tokens", 256)
        .set("messages", JSON.createArrayNode().add(JSON.createObjectNode()
            .put("role", "user").put("content", "Plan the next step of the billing migration")))
        .toString();
    final HttpResponse<String> planning = HTTP.send(
        kiloPost("/api/openrouter/messages", session, "plan", "kilo-req-2")
            .POST(HttpRequest.BodyPublishers.ofString(messages))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(planning.statusCode()).as(planning.body()).isEqualTo(200);
    assertThat(JSON.readTree(planning.body()).path("type").asText()).isEqualTo("message");
    assertThat(planning.headers().firstValue("x-tiergate-model"))
        .contains("anthropic/claude-sonnet-4.5");

    final String responsesBody = JSON.createObjectNode()
        .put("model", "kilo-auto/balanced")
        .put("instructions", "You are a coding agent.")
        .put("input", "Summarise the billing migration plan").toString();
    final HttpResponse<String> answered = HTTP.send(
        kiloPost("/api/gateway/v1/responses", session, "ask", "kilo-req-3")
            .POST(HttpRequest.BodyPublishers.ofString(responsesBody))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
    final JsonNode response = JSON.readTree(answered.body());
    assertThat(response.path("object").asText()).isEqualTo("response");
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(usageEvent(requestIdOf(answered)).getClientRequestId()).isEqualTo("kilo-req-3");

    final dev.tiergate.schemas.UsageEvent codingUsage = usageEvent(requestIdOf(coding));
    final dev.tiergate.schemas.UsageEvent planningUsage = usageEvent(requestIdOf(planning));
    assertThat(codingUsage.getSessionId()).isEqualTo(session);
    assertThat(codingUsage.getProjectId()).isEqualTo("proj-kilo");
    assertThat(codingUsage.getOrganizationId()).isEqualTo("org-kilo");
    assertThat(codingUsage.getMachineId()).isEqualTo("machine-kilo");
    assertThat(codingUsage.getClientRequestId()).isEqualTo("kilo-req-1");
    assertThat(planningUsage.getClientRequestId()).isEqualTo("kilo-req-2");
    assertThat(planningUsage.getProvider()).isEqualTo("anthropic");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      final JsonNode bySession = row(spend("session", "total"), session);
      assertThat(bySession.path("requests").asLong()).isEqualTo(3);
      final long micros = bySession.path("costMicros").asLong();
      assertThat(micros).isPositive();
      for (final String[] dimension : new String[][] {
          {"project", "proj-kilo"}, {"organization", "org-kilo"}}) {
        final JsonNode row = row(spend(dimension[0], "total"), dimension[1]);
        assertThat(row.path("requests").asLong()).as(dimension[0]).isEqualTo(3);
        assertThat(row.path("costMicros").asLong()).as(dimension[0]).isEqualTo(micros);
      }
    });
  }

  private static HttpResponse<String> kiloGet(final String path) throws Exception {
    final HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + path))
            .timeout(WAIT).header("authorization", "Bearer " + DEMO_KEY).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
    return response;
  }

  /** A POST with the headers Kilo's clients send. */
  private static HttpRequest.Builder kiloPost(
      final String path, final String session, final String mode, final String requestId) {
    return HttpRequest.newBuilder(URI.create(stack.ingressUrl() + path))
        .timeout(WAIT)
        .header("content-type", "application/json")
        .header("authorization", "Bearer " + DEMO_KEY)
        .header("x-kilocode-mode", mode)
        .header("x-kilo-session", session)
        .header("x-kilo-request", requestId)
        .header("x-kilocode-projectid", "proj-kilo")
        .header("x-kilocode-organizationid", "org-kilo")
        .header("x-kilocode-machineid", "machine-kilo");
  }

  private static String requestIdOf(final HttpResponse<String> response) {
    return response.headers().firstValue("x-tiergate-request-id").orElseThrow();
  }

  /** The cost OpenRouter-style in a final usage chunk (dollars), in micro-dollars. */
  private static long micros(final JsonNode usage) {
    return usage.path("cost").decimalValue().movePointRight(6).longValueExact();
  }

  /** The demo tenant's spend by one dimension from the accounting query API. */
  private static JsonNode spend(final String by, final String window) throws Exception {
    final HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(
                stack.accountingUrl() + "/v1/spend?by=" + by + "&window=" + window))
            .timeout(WAIT)
            .header("authorization", "Bearer " + DEMO_KEY)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    final JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("by").asText()).isEqualTo(by);
    return body;
  }

  /** The row of one value in a spend report; a missing row fails. */
  private static JsonNode row(final JsonNode report, final String value) {
    for (final JsonNode row : report.path("rows")) {
      if (value.equals(row.path("value").asText())) {
        return row;
      }
    }
    throw new AssertionError("no row " + value + " in " + report);
  }

  @Test
  void openRouterModelsListHasTheDocumentedShapeAndRealToolSupport() throws Exception {
    final HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/api/openrouter/models"))
                .timeout(WAIT).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    final Map<String, JsonNode> byId = new java.util.HashMap<>();
    for (final JsonNode model : JSON.readTree(response.body()).path("data")) {
      byId.put(model.path("id").asText(), model);
      assertThat(model.path("name").isTextual()).isTrue();
      assertThat(model.path("description").isTextual()).isTrue();
      assertThat(model.path("context_length").isNumber()).isTrue();
      assertThat(model.path("pricing").path("prompt").isTextual()).isTrue();
      assertThat(model.path("pricing").path("completion").isTextual()).isTrue();
      assertThat(model.path("architecture").path("input_modalities").isArray()).isTrue();
      assertThat(model.path("architecture").path("output_modalities").isArray()).isTrue();
      assertThat(model.path("architecture").path("tokenizer").isTextual()).isTrue();
      assertThat(model.path("top_provider").path("is_moderated").isBoolean()).isTrue();
      assertThat(model.path("supported_parameters").isArray()).isTrue();
    }
    assertThat(byId).containsKeys(
        "kilo-auto/frontier", "kilo-auto/balanced", "kilo-auto/free", "kilo-auto/small",
        "openai/gpt-5", "anthropic/claude-sonnet-4.5", "google/gemini-2.5-flash",
        "local/llama-3.1-8b");
    assertThat(byId.get("kilo-auto/frontier").path("supported_parameters").toString())
        .contains("\"tools\"", "\"reasoning\"");
    assertThat(byId.get("kilo-auto/free").path("supported_parameters").toString())
        .doesNotContain("\"tools\"");
    assertThat(byId.get("openai/gpt-5").at("/pricing/prompt").asText()).isEqualTo("0.00000125");
  }

  private record KiloReply(String requestId, String model, String text, JsonNode usage) {}

  /** Streams one agent request through /api/openrouter/ with Kilo's headers. */
  private static KiloReply kiloStream(final String body, final String mode, final String task)
      throws Exception {
    final HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/api/openrouter/chat/completions"))
                .timeout(WAIT)
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + DEMO_KEY)
                .header("x-kilocode-mode", mode)
                .header("x-kilocode-taskid", task)
                .header("x-kilocode-parent-taskid", "task-root")
                .header("x-kilocode-feature", "vscode-extension")
                .header("x-kilocode-projectid", "proj-billing")
                .header("x-kilocode-editorname", "Visual Studio Code")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    final List<String> frames = List.of(response.body().split("\n\n"));
    assertThat(frames.get(frames.size() - 1)).isEqualTo("data: [DONE]");
    final StringBuilder text = new StringBuilder();
    String model = null;
    for (final String frame : frames.subList(0, frames.size() - 2)) {
      final JsonNode chunk = JSON.readTree(frame.substring("data: ".length()));
      model = chunk.path("model").asText();
      text.append(chunk.at("/choices/0/delta/content").asText(""));
    }
    final JsonNode last = JSON.readTree(frames.get(frames.size() - 2).substring("data: ".length()));
    assertThat(last.path("choices")).isEmpty();
    return new KiloReply(
        response.headers().firstValue("x-tiergate-request-id").orElseThrow(), model,
        text.toString(), last.path("usage"));
  }

  /** A request shaped like a coding agent's: big system prompt, 22 tools, array parts, streaming. */
  private static String agentRequest(final String task) {
    final var body = JSON.createObjectNode();
    body.put("model", "kilo-auto/frontier").put("stream", true);
    body.putObject("usage").put("include", true);
    final var tools = body.putArray("tools");
    for (int i = 0; i < 22; i++) {
      final var function = tools.addObject().put("type", "function").putObject("function");
      function.put("name", "agent_action_" + i).put("description", "Agent action number " + i + ". " + "x".repeat(300));
      final var parameters = function.putObject("parameters").put("type", "object");
      parameters.putObject("properties").putObject("path").put("type", "string");
      parameters.putArray("required").add("path");
    }
    final var messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", "You are Kilo Code. " + "Rules. ".repeat(4_000));
    final var history = messages.addObject().put("role", "user").putArray("content");
    history.addObject().put("type", "text").put("text", "<file>" + "line of code;\n".repeat(800) + "</file>");
    messages.addObject().put("role", "assistant").put("content", "I read the file.");
    final var latest = messages.addObject().put("role", "user").putArray("content");
    latest.addObject().put("type", "text").put("text", task);
    latest.addObject().put("type", "text").put("text", "<environment_details>cwd: /repo</environment_details>")
        .putObject("cache_control").put("type", "ephemeral");
    return body.toString();
  }

  /** The usage event the dispatcher recorded for a request, read from tiergate.usage. */
  private static dev.tiergate.schemas.UsageEvent usageEvent(final String requestId) {
    final var settings = stack.kafkaSettings();
    final var props = settings.clientProperties(Map.of("auto.offset.reset", "earliest"));
    props.remove("group.id");
    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            props,
            dev.tiergate.schemas.Topics.USAGE.keySerde().deserializer(),
            dev.tiergate.schemas.Topics.USAGE.valueSerde(settings.serdes()).deserializer())) {
      final var partitions =
          consumer.partitionsFor(dev.tiergate.schemas.Topics.USAGE.name()).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final java.util.concurrent.atomic.AtomicReference<dev.tiergate.schemas.UsageEvent> found =
          new java.util.concurrent.atomic.AtomicReference<>();
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> {
          if (requestId.equals(record.key())) {
            found.set(record.value());
          }
        });
        return found.get() != null;
      });
      return found.get();
    }
  }

  private static void assertRejected(
      final String path, final String key, final String body, final int status,
      final String pointer, final String expected) throws Exception {
    final java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.ingressUrl() + path))
            .timeout(WAIT)
            .header("content-type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header(path.equals("/v1/messages") ? "x-api-key" : "authorization",
          path.equals("/v1/messages") ? key : "Bearer " + key);
    }
    final java.net.http.HttpResponse<String> response =
        HTTP.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s %s", path, body).isEqualTo(status);
    final com.fasterxml.jackson.databind.JsonNode json = JSON.readTree(response.body());
    assertThat(json.at(pointer).asText()).as("%s %s", path, body).isEqualTo(expected);
    if (path.equals("/v1/messages")) {
      assertThat(json.path("type").asText()).isEqualTo("error");
    }
  }

  /** Records ever written to tiergate.requests: the sum of its partitions' end offsets. */
  private static long requestsPublished() {
    final var props = stack.kafkaSettings().clientProperties(Map.of());
    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            props,
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      final var partitions =
          consumer.partitionsFor(dev.tiergate.schemas.Topics.REQUESTS.name()).stream()
              .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition()))
              .toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static String cli(final String... args) {
    final StringWriter out = new StringWriter();
    final List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--bootstrap-servers", stack.kafkaSettings().bootstrapServers(),
            "--registry-url", stack.kafkaSettings().schemaRegistryUrl()));
    final int exit =
        TiergateCli.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(new StringWriter(), true))
            .execute(all.toArray(String[]::new));
    assertThat(exit).as("exit code of %s", List.of(args)).isZero();
    return out.toString();
  }

  static FunctionDefinition weatherFunction() {
    return FunctionDefinition.builder()
        .name("get_weather")
        .description("Current weather for a city")
        .parameters(
            FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty(
                    "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                .build())
        .build();
  }

  static Tool weatherTool() {
    return Tool.builder()
        .name("get_weather")
        .description("Current weather for a city")
        .inputSchema(
            Tool.InputSchema.builder()
                .properties(
                    Tool.InputSchema.Properties.builder()
                        .putAdditionalProperty(
                            "city", com.anthropic.core.JsonValue.from(Map.of("type", "string")))
                        .build())
                .addRequired("city")
                .build())
        .build();
  }
}
