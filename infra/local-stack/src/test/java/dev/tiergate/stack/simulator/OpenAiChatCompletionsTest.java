package dev.tiergate.stack.simulator;

import static dev.tiergate.stack.simulator.SimulatorHttp.JSON;
import static dev.tiergate.stack.simulator.SimulatorHttp.chat;
import static dev.tiergate.stack.simulator.SimulatorHttp.dataLines;
import static dev.tiergate.stack.simulator.SimulatorHttp.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiChatCompletionsTest {

  private static ProviderSimulator simulator;
  private static SimulatorHttp http;

  @BeforeAll
  static void startSimulator() {
    simulator = ProviderSimulator.start(SimulatorConfig.defaults());
    http = new SimulatorHttp(simulator.baseUrl());
  }

  @AfterAll
  static void stopSimulator() {
    simulator.close();
  }

  @BeforeEach
  void forgetCalls() {
    simulator.reset();
  }

  @Test
  void answersInChatCompletionShapeEchoingTheModel() {
    final HttpResponse<String> response = http.post(chat("gpt-4.1-mini", "Summarise the diff"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    final JsonNode body = parse(response.body());
    assertThat(body.path("id").asText()).startsWith("chatcmpl-");
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("created").asLong()).isPositive();
    assertThat(body.path("model").asText()).isEqualTo("gpt-4.1-mini");
    final JsonNode choice = body.path("choices").get(0);
    assertThat(choice.path("index").asInt()).isZero();
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText())
        .startsWith("Simulated reply from gpt-4.1-mini to: Summarise the diff");
    assertThat(choice.path("message").has("tool_calls")).isFalse();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void reportsUsageWithTokenDetails() {
    final JsonNode usage = parse(http.post(chat("gpt-4.1", "Hello there")).body()).path("usage");

    final int prompt = usage.path("prompt_tokens").asInt();
    final int completion = usage.path("completion_tokens").asInt();
    assertThat(prompt).isBetween(4, 20);
    assertThat(completion).isPositive();
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(prompt + completion);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").isInt()).isTrue();
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt()).isZero();
    assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").asInt()).isZero();
  }

  @Test
  void reportsWholeCacheBlocksOfALongPrompt() {
    final String longText = "word ".repeat(2_000);

    final JsonNode usage = parse(http.post(chat("gpt-4.1", longText)).body()).path("usage");

    final int prompt = usage.path("prompt_tokens").asInt();
    assertThat(prompt).isBetween(2_400, 2_600);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt()).isEqualTo(2_048);
  }

  @Test
  void countsToolSchemasInPromptTokens() {
    final ObjectNode withTools = (ObjectNode) parse(chat("gpt-4.1", "Hello there"));
    withTools.set("tools", tools());

    final int plain = parse(http.post(chat("gpt-4.1", "Hello there")).body())
        .path("usage").path("prompt_tokens").asInt();
    final int tooled = parse(http.post(withTools.toString()).body())
        .path("usage").path("prompt_tokens").asInt();

    assertThat(tooled).isGreaterThan(plain + 20);
  }

  @Test
  void reportsReasoningTokensWhenEffortIsRequested() {
    final ObjectNode request = (ObjectNode) parse(chat("o4-mini", "Plan the refactor"));
    request.put("reasoning_effort", "high");

    final JsonNode usage = parse(http.post(request.toString()).body()).path("usage");

    final int reasoning = usage.path("completion_tokens_details").path("reasoning_tokens").asInt();
    assertThat(reasoning).isGreaterThanOrEqualTo(1_024);
    assertThat(usage.path("completion_tokens").asInt()).isGreaterThan(reasoning);
  }

  @Test
  void sameRequestGetsSameContent() {
    final String request = chat("gpt-4.1-mini", "Write a commit message for the fix");

    final JsonNode first = parse(http.post(request).body());
    final JsonNode second = parse(http.post(request).body());

    assertThat(content(second)).isEqualTo(content(first));
    assertThat(second.path("usage")).isEqualTo(first.path("usage"));
    assertThat(second.path("id").asText()).isNotEqualTo(first.path("id").asText());
  }

  @Test
  void differentPromptOrModelGetsDifferentContent() {
    final String base = content(parse(http.post(chat("gpt-4.1-mini", "Explain the bug")).body()));
    final String otherPrompt =
        content(parse(http.post(chat("gpt-4.1-mini", "Explain the test")).body()));
    final String otherModel = content(parse(http.post(chat("gpt-4.1", "Explain the bug")).body()));

    assertThat(otherPrompt).isNotEqualTo(base);
    assertThat(otherModel).isNotEqualTo(base);
  }

  @Test
  void quotesOnlyTheFirstFortyCharactersOfTheUserMessage() {
    final String text = "0123456789".repeat(10);

    final String content = content(parse(http.post(chat("m", text)).body()));

    assertThat(content).startsWith("Simulated reply from m to: " + text.substring(0, 40) + ".");
  }

  @Test
  void streamsRoleDeltaContentFinishThenUsageThenDone() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1-mini", "Stream me a reply"));
    request.put("stream", true).putObject("stream_options").put("include_usage", true);

    final HttpResponse<String> response = http.post(request.toString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElse(""))
        .startsWith("text/event-stream");
    final List<String> data = dataLines(response.body());
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    final List<JsonNode> chunks =
        data.subList(0, data.size() - 1).stream().map(SimulatorHttp::parse).collect(Collectors.toList());
    assertThat(chunks).allSatisfy(chunk -> {
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(chunk.path("model").asText()).isEqualTo("gpt-4.1-mini");
    });
    assertThat(chunks.stream().map(c -> c.path("id").asText()).distinct()).hasSize(1);
    assertThat(chunks.get(0).path("choices").get(0).path("delta").path("role").asText())
        .isEqualTo("assistant");
    final JsonNode usageChunk = chunks.get(chunks.size() - 1);
    assertThat(usageChunk.path("choices")).isEmpty();
    assertThat(usageChunk.path("usage").path("total_tokens").asInt()).isPositive();
    final JsonNode finishChunk = chunks.get(chunks.size() - 2);
    assertThat(finishChunk.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    final String streamed =
        chunks.stream()
            .flatMap(c -> c.path("choices").findValuesAsText("content").stream())
            .collect(Collectors.joining());
    assertThat(streamed).isEqualTo(content(parse(http.post(chat("gpt-4.1-mini", "Stream me a reply")).body())));
  }

  @Test
  void streamsWithoutUsageChunkWhenUsageIsNotRequested() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1-mini", "Stream me a reply"));
    request.put("stream", true);

    final List<String> data = dataLines(http.post(request.toString()).body());

    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    final JsonNode last = parse(data.get(data.size() - 2));
    assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    assertThat(data.subList(0, data.size() - 1))
        .allSatisfy(chunk -> assertThat(parse(chunk).has("usage")).isFalse());
  }

  @Test
  void streamsAReplyOfTheConfiguredLengthThreeWordsPerChunk() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1-mini", "Stream a long reply"));
    request.put("stream", true);

    try (ProviderSimulator padded =
        ProviderSimulator.start(SimulatorConfig.defaults().withReplyWords(90))) {
      final List<String> data =
          dataLines(new SimulatorHttp(padded.baseUrl()).post(request.toString()).body());

      // The role chunk, 30 content chunks, the finish chunk and [DONE].
      assertThat(data).hasSize(33);
      final String streamed = data.subList(0, data.size() - 1).stream()
          .flatMap(chunk -> parse(chunk).path("choices").findValuesAsText("content").stream())
          .collect(Collectors.joining());
      assertThat(streamed.split(" ")).hasSize(90);
    }
  }

  @Test
  void callsTheFirstToolWhenTheUserAsksForATool() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1", "Use a tool to read the file"));
    request.set("tools", tools());

    final JsonNode choice = parse(http.post(request.toString()).body()).path("choices").get(0);

    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.path("message").path("content").isNull()).isTrue();
    final JsonNode call = choice.path("message").path("tool_calls").get(0);
    assertThat(call.path("id").asText()).startsWith("call_");
    assertThat(call.path("type").asText()).isEqualTo("function");
    assertThat(call.path("function").path("name").asText()).isEqualTo("read_file");
    final JsonNode arguments = parse(call.path("function").path("arguments").asText());
    assertThat(arguments.path("path").asText()).isEqualTo("sim-path");
  }

  @Test
  void answersWithTextWhenToolsAreOfferedButNotAskedFor() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1", "Just say hello"));
    request.set("tools", tools());

    final JsonNode choice = parse(http.post(request.toString()).body()).path("choices").get(0);

    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(choice.path("message").has("tool_calls")).isFalse();
  }

  @Test
  void callsTheFunctionThatToolChoiceForces() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1", "Just say hello"));
    request.set("tools", tools());
    request.putObject("tool_choice").put("type", "function")
        .putObject("function").put("name", "run_tests");

    final JsonNode call =
        parse(http.post(request.toString()).body()).path("choices").get(0)
            .path("message").path("tool_calls").get(0);

    assertThat(call.path("function").path("name").asText()).isEqualTo("run_tests");
  }

  @Test
  void streamsAToolCallAsArgumentDeltas() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1", "Use a tool to read the file"));
    request.set("tools", tools());
    request.put("stream", true).putObject("stream_options").put("include_usage", true);

    final List<String> data = dataLines(http.post(request.toString()).body());

    final List<JsonNode> chunks =
        data.subList(0, data.size() - 1).stream().map(SimulatorHttp::parse).collect(Collectors.toList());
    final JsonNode firstCall = chunks.get(0).path("choices").get(0).path("delta").path("tool_calls").get(0);
    assertThat(firstCall.path("function").path("name").asText()).isEqualTo("read_file");
    final String arguments =
        chunks.stream()
            .flatMap(c -> c.path("choices").findValuesAsText("arguments").stream())
            .collect(Collectors.joining());
    assertThat(parse(arguments).path("path").asText()).isEqualTo("sim-path");
    assertThat(chunks.get(chunks.size() - 2).path("choices").get(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void stopsWithFinishReasonLengthAtMaxTokens() {
    final ObjectNode request = (ObjectNode) parse(chat("gpt-4.1", "Say a lot"));
    request.put("max_completion_tokens", 3);

    final JsonNode body = parse(http.post(request.toString()).body());

    assertThat(body.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
    assertThat(body.path("usage").path("completion_tokens").asInt()).isLessThanOrEqualTo(3);
  }

  @Test
  void servesAnyPathEndingInChatCompletionsAndCountsPerModel() {
    http.post("/openai/v1/chat/completions", chat("a-model", "hi"), Map.of());
    http.post("/groq/openai/v1/chat/completions", chat("a-model", "hi"), Map.of());
    final HttpResponse<String> other =
        http.post("/other/v1/chat/completions?api-version=1", chat("b-model", "hi"), Map.of());

    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(simulator.calls("a-model")).isEqualTo(2);
    assertThat(simulator.calls("b-model")).isEqualTo(1);
    assertThat(simulator.calls("never-called")).isZero();
    assertThat(simulator.totalCalls()).isEqualTo(3);
    assertThat(simulator.callsByModel()).containsEntry("a-model", 2L).containsEntry("b-model", 1L);
  }

  @Test
  void remembersTheLastRequestPerModel() {
    http.post(chat("a-model", "first"));
    http.post("/v1/chat/completions", chat("a-model", "second"), Map.of("x-trace", "t-1"));

    final JsonNode last = simulator.lastRequest("a-model").orElseThrow();

    assertThat(last.path("messages").get(1).path("content").asText()).isEqualTo("second");
    assertThat(simulator.lastHeaders("a-model")).containsEntry("x-trace", "t-1");
    assertThat(simulator.lastRequest("b-model")).isEmpty();
  }

  @Test
  void acceptsContentPartsAndToolHistory() {
    final ObjectNode request = JSON.createObjectNode().put("model", "gpt-4.1");
    final ArrayNode messages = request.putArray("messages");
    final ObjectNode user = messages.addObject().put("role", "user");
    user.putArray("content").addObject().put("type", "text").put("text", "Look at this");
    user.withArray("content").addObject().put("type", "image_url")
        .putObject("image_url").put("url", "data:image/png;base64,AAAA");
    final ObjectNode assistant = messages.addObject().put("role", "assistant");
    assistant.putNull("content");
    assistant.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function")
        .putObject("function").put("name", "read_file").put("arguments", "{\"path\":\"a\"}");
    messages.addObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "data");
    messages.addObject().put("role", "user").put("content", "And now?");

    final JsonNode body = parse(http.post(request.toString()).body());

    assertThat(body.path("usage").path("prompt_tokens").asInt())
        .isGreaterThan(TokenEstimator.TOKENS_PER_IMAGE);
    assertThat(content(body)).startsWith("Simulated reply from gpt-4.1 to: And now?");
  }

  private static String content(final JsonNode body) {
    return body.path("choices").get(0).path("message").path("content").asText();
  }

  private static ArrayNode tools() {
    final ArrayNode tools = JSON.createArrayNode();
    final ObjectNode read = tools.addObject().put("type", "function").putObject("function");
    read.put("name", "read_file").put("description", "Reads a file from the workspace");
    final ObjectNode params = read.putObject("parameters").put("type", "object");
    params.putObject("properties").putObject("path").put("type", "string");
    params.putArray("required").add("path");
    final ObjectNode run = tools.addObject().put("type", "function").putObject("function");
    run.put("name", "run_tests").putObject("parameters").put("type", "object");
    return tools;
  }
}
