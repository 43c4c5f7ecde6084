package dev.tiergate.launcher.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import dev.tiergate.launcher.TiergateCli;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * OpenAI's Responses API on the whole embedded stack, with the official {@code openai-java}
 * client (strict response validation on, so every object and event must have OpenAI's shape):
 * create, stream, a function-call round trip, stored responses ({@code previous_response_id},
 * GET, DELETE, {@code store: false}), tenancy, usage on the bus, and a malformed body.
 */
class ResponsesApiEndToEndTest {

  private static final String DEMO_KEY = "tg-demo-key";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  private static TiergateStack stack;
  private static OpenAIClient openAi;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, WAIT));
    openAi = client(DEMO_KEY);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static OpenAIClient client(final String key) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(stack.ingressUrl() + "/v1")
        .apiKey(key)
        .maxRetries(0)
        .responseValidation(true)
        .timeout(Duration.ofSeconds(60))
        .build();
  }

  @Test
  void createsAResponseFromTheRoutedModelWithUsage() {
    final Response response =
        openAi.responses().create(
            ResponseCreateParams.builder()
                .model("auto/frontier")
                .instructions("You are terse.")
                .input("Plan the billing migration")
                .putAdditionalHeader("x-tiergate-mode", "plan")
                .build());

    assertThat(response.id()).startsWith("resp_");
    assertThat(response.status()).contains(ResponseStatus.COMPLETED);
    // The demo table sends plan on the frontier tier to Claude: the Responses API in front of an
    // Anthropic-format call.
    assertThat(response.model().asString()).isEqualTo("anthropic/claude-sonnet-4.5");
    assertThat(text(response)).contains("Plan the billing migration");
    final ResponseUsage usage = response.usage().orElseThrow();
    assertThat(usage.inputTokens()).isPositive();
    assertThat(usage.outputTokens()).isPositive();
    assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
    assertThat(usage.inputTokensDetails().cachedTokens()).isNotNegative();
    assertThat(usage.outputTokensDetails().reasoningTokens()).isNotNegative();
  }

  @Test
  void streamsTheResponsesEventSequenceWithSequenceNumbers() {
    final List<JsonNode> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream =
        openAi.responses().createStreaming(
            ResponseCreateParams.builder().model("auto/balanced").input("Summarize the diff")
                .build())) {
      stream.stream().forEach(event -> events.add(ObjectMappers.jsonMapper().valueToTree(event)));
    }
    final List<String> types = events.stream().map(e -> e.path("type").asText()).toList();

    assertThat(types.subList(0, 4)).containsExactly(
        "response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added");
    assertThat(types.subList(types.size() - 4, types.size())).containsExactly(
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed");
    assertThat(types.subList(4, types.size() - 4)).isNotEmpty()
        .allMatch("response.output_text.delta"::equals);
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).path("sequence_number").asInt()).as("event %d", i).isEqualTo(i);
    }
    final StringBuilder deltas = new StringBuilder();
    events.stream().filter(e -> e.path("type").asText().equals("response.output_text.delta"))
        .forEach(e -> deltas.append(e.path("delta").asText()));
    final JsonNode completed = events.get(events.size() - 1).path("response");
    assertThat(deltas.toString()).contains("Summarize the diff")
        .isEqualTo(completed.at("/output/0/content/0/text").asText());
    assertThat(completed.at("/usage/output_tokens").asLong()).isPositive();
    assertThat(completed.path("id").asText())
        .isEqualTo(events.get(0).at("/response/id").asText()).startsWith("resp_");
  }

  @Test
  void streamsAFunctionCallWithItsArgumentEvents() {
    final List<JsonNode> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream =
        openAi.responses().createStreaming(
            ResponseCreateParams.builder().model("auto/balanced").addTool(weatherTool())
                .input("Use the tool for Oslo weather").store(false).build())) {
      stream.stream().forEach(event -> events.add(ObjectMappers.jsonMapper().valueToTree(event)));
    }
    final List<String> types = events.stream().map(e -> e.path("type").asText()).toList();

    assertThat(types).startsWith("response.created", "response.in_progress",
        "response.output_item.added").endsWith("response.function_call_arguments.done",
        "response.output_item.done", "response.completed");
    assertThat(types).contains("response.function_call_arguments.delta")
        .doesNotContain("response.output_text.delta");
    final JsonNode added = events.get(2).path("item");
    assertThat(added.path("type").asText()).isEqualTo("function_call");
    assertThat(added.path("name").asText()).isEqualTo("get_weather");
    final StringBuilder arguments = new StringBuilder();
    events.stream()
        .filter(e -> e.path("type").asText().equals("response.function_call_arguments.delta"))
        .forEach(e -> arguments.append(e.path("delta").asText()));
    final JsonNode call = events.get(events.size() - 1).at("/response/output/0");
    assertThat(call.path("type").asText()).isEqualTo("function_call");
    assertThat(call.path("call_id").asText()).isEqualTo(added.path("call_id").asText());
    assertThat(call.path("arguments").asText()).isEqualTo(arguments.toString()).contains("city");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).path("sequence_number").asInt()).as("event %d", i).isEqualTo(i);
    }
  }

  @Test
  void completesAFunctionCallRoundTripWithTheItemsSentBack() {
    final EasyInputMessage question = EasyInputMessage.builder()
        .role(EasyInputMessage.Role.USER)
        .content("Use the tool to get the weather in Oslo")
        .build();
    final Response first =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/balanced").addTool(weatherTool())
                .inputOfResponse(List.of(ResponseInputItem.ofEasyInputMessage(question)))
                .store(false)
                .build());
    final ResponseFunctionToolCall call = functionCall(first);
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(call.arguments()).contains("\"city\"");
    assertThat(call.callId()).isNotBlank();

    final Response second =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/balanced").addTool(weatherTool())
                .inputOfResponse(List.of(
                    ResponseInputItem.ofEasyInputMessage(question),
                    ResponseInputItem.ofFunctionCall(call),
                    ResponseInputItem.ofFunctionCallOutput(
                        ResponseInputItem.FunctionCallOutput.builder()
                            .callId(call.callId()).output("{\"forecast\":\"sunny\"}").build())))
                .store(false)
                .build());

    assertThat(second.output()).noneMatch(ResponseOutputItem::isFunctionCall);
    assertThat(text(second)).isNotBlank();
  }

  @Test
  void continuesFromAStoredFunctionCallWithPreviousResponseIdAndTheOutputOnly() {
    final Response first =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/balanced").addTool(weatherTool())
                .input("Use the tool for Bergen weather").build());
    final ResponseFunctionToolCall call = functionCall(first);

    final Response second =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/balanced").addTool(weatherTool())
                .previousResponseId(first.id())
                .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(
                    ResponseInputItem.FunctionCallOutput.builder()
                        .callId(call.callId()).output("{\"forecast\":\"rain\"}").build())))
                .build());

    assertThat(second.output()).noneMatch(ResponseOutputItem::isFunctionCall);
    assertThat(text(second)).contains("Use the tool for Bergen weather");
    assertThat(second.previousResponseId()).contains(first.id());
  }

  @Test
  void previousResponseIdCarriesTheConversationAndGetAndDeleteWorkOnTheStoredOne() {
    final Response first =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/balanced")
                .input("Remember the codeword Zebra for later in this conversation").build());
    final Response alone =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/balanced")
                .input("What was the codeword?").store(false).build());
    final Response continued =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/balanced")
                .previousResponseId(first.id()).input("What was the codeword?").build());

    // The model saw the first turn's input and its answer (about 4 characters a token) before
    // the question; its hidden reasoning tokens are not sent back.
    assertThat(continued.usage().orElseThrow().inputTokens())
        .isGreaterThan(alone.usage().orElseThrow().inputTokens()
            + first.usage().orElseThrow().inputTokens() + text(first).length() / 8);

    final Response retrieved = openAi.responses().retrieve(first.id());
    assertThat(retrieved.id()).isEqualTo(first.id());
    assertThat(text(retrieved)).isEqualTo(text(first));
    assertThat(retrieved.usage()).isEqualTo(first.usage());

    openAi.responses().delete(first.id());
    assertThatThrownBy(() -> openAi.responses().retrieve(first.id()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> openAi.responses().delete(first.id()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(
            () -> openAi.responses().create(
                ResponseCreateParams.builder().model("auto/balanced")
                    .previousResponseId(first.id()).input("And now?").build()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("Previous response");
    assertThat(openAi.responses().retrieve(continued.id()).id()).isEqualTo(continued.id());
  }

  @Test
  void anotherTenantCanNeitherReadNorContinueNorDeleteAResponse() {
    final Response mine =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/small").input("Private notes").build());
    final String rivalKey =
        cli("keys", "create", "--tenant", "rival", "--default-tier", "small").trim();
    final OpenAIClient rival = client(rivalKey);
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
        rival.responses().create(
            ResponseCreateParams.builder().model("auto").input("hello").build()).id())
        .startsWith("resp_"));

    assertThatThrownBy(() -> rival.responses().retrieve(mine.id()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> rival.responses().delete(mine.id()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(
            () -> rival.responses().create(
                ResponseCreateParams.builder().model("auto")
                    .previousResponseId(mine.id()).input("Show me").build()))
        .isInstanceOf(NotFoundException.class);
    assertThat(openAi.responses().retrieve(mine.id()).id()).isEqualTo(mine.id());
  }

  @Test
  void storeFalseAnswersButKeepsNothing() {
    final Response response =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/small").input("Forget me").store(false)
                .build());

    assertThat(text(response)).contains("Forget me");
    assertThatThrownBy(() -> openAi.responses().retrieve(response.id()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void usageIsRecordedOnTheBusAsAResponsesRequest() {
    final Response response =
        openAi.responses().create(
            ResponseCreateParams.builder().model("auto/balanced").input("Count my tokens")
                .build());

    final UsageEvent usage = usageEvent("req_" + response.id().substring("resp_".length()));
    assertThat(usage.getApiKind()).isEqualTo(ApiKind.RESPONSES);
    assertThat(usage.getTenant()).isEqualTo("demo");
    assertThat(usage.getUsage().getInputTokens())
        .isEqualTo(response.usage().orElseThrow().inputTokens());
    assertThat(usage.getUsage().getOutputTokens())
        .isEqualTo(response.usage().orElseThrow().outputTokens());
  }

  @Test
  void malformedBodiesGet400InOpenAisErrorShapeWithDecisionHeadersOnSuccess() throws Exception {
    final HttpResponse<String> bogusItem =
        post("{\"model\":\"auto\",\"input\":[{\"type\":\"bogus\"}]}");
    assertThat(bogusItem.statusCode()).isEqualTo(400);
    final JsonNode error = JSON.readTree(bogusItem.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("param").asText()).isEqualTo("input[0].type");
    assertThat(error.path("message").asText()).contains("bogus");

    final HttpResponse<String> notJson = post("{\"model\":");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).at("/error/type").asText())
        .isEqualTo("invalid_request_error");

    final HttpResponse<String> served =
        post("{\"model\":\"auto/frontier\",\"input\":\"hi\",\"metadata\":{\"mode\":\"plan\"}}");
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.headers().firstValue("x-tiergate-tier")).contains("frontier");
    assertThat(served.headers().firstValue("x-tiergate-mode")).contains("plan");
    assertThat(served.headers().firstValue("x-tiergate-request-id").orElseThrow())
        .isEqualTo("req_" + JSON.readTree(served.body()).path("id").asText().substring(5));
  }

  private static HttpResponse<String> post(final String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/responses"))
            .timeout(WAIT)
            .header("authorization", "Bearer " + DEMO_KEY)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String text(final Response response) {
    final StringBuilder text = new StringBuilder();
    response.output().stream()
        .flatMap(item -> item.message().stream())
        .flatMap(message -> message.content().stream())
        .forEach(content -> content.outputText().ifPresent(part -> text.append(part.text())));
    return text.toString();
  }

  private static ResponseFunctionToolCall functionCall(final Response response) {
    return response.output().stream()
        .flatMap(item -> item.functionCall().stream())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no function call in " + response.output()));
  }

  private static FunctionTool weatherTool() {
    return FunctionTool.builder()
        .name("get_weather")
        .description("Current weather for a city")
        .strict(false)
        .parameters(
            FunctionTool.Parameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty(
                    "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                .build())
        .build();
  }

  /** The usage event the dispatcher recorded for a request, read from tiergate.usage. */
  private static UsageEvent usageEvent(final String requestId) {
    final var settings = stack.kafkaSettings();
    final var props = settings.clientProperties(Map.of("auto.offset.reset", "earliest"));
    props.remove("group.id");
    try (var consumer =
        new KafkaConsumer<>(
            props,
            Topics.USAGE.keySerde().deserializer(),
            Topics.USAGE.valueSerde(settings.serdes()).deserializer())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.USAGE.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final AtomicReference<UsageEvent> found = new AtomicReference<>();
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
}
