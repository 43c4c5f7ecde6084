package dev.tiergate.ingress.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.http.MessageParts;
import dev.tiergate.ingress.http.Signals;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponsesNormalizerTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Caller CALLER = new Caller("acme", Tier.BALANCED);
  private static final HeaderLookup NO_HEADERS = name -> null;
  private static final ResponsesNormalizer NORMALIZER =
      new ResponsesNormalizer(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));

  private static ChatRequest normalize(final String json) throws Exception {
    return normalize(json, ResponseStore.Conversation.EMPTY, NO_HEADERS);
  }

  private static ChatRequest normalize(
      final String json, final ResponseStore.Conversation history, final HeaderLookup headers)
      throws Exception {
    return NORMALIZER.normalize(MAPPER.readTree(json), CALLER, headers, history);
  }

  @Test
  void readsAStringInputAsOneUserMessageAfterTheInstructions() throws Exception {
    final ChatRequest request =
        normalize("{\"model\":\"auto/frontier\",\"instructions\":\"Be terse.\",\"input\":\"Hi\"}");

    assertThat(request.getApiKind()).isEqualTo(ApiKind.RESPONSES);
    assertThat(request.getTier()).isEqualTo("frontier");
    assertThat(request.getRequestedModel()).isNull();
    assertThat(request.getCorrelationId()).startsWith("req_");
    assertThat(request.getMessages()).extracting(Message::getRole)
        .containsExactly("system", "user");
    assertThat(request.getMessages().get(0).getParts().get(0).getText()).isEqualTo("Be terse.");
    assertThat(request.getMessages().get(1).getParts().get(0).getText()).isEqualTo("Hi");
  }

  @Test
  void groupsReasoningTextAndFunctionCallsIntoOneAssistantTurnAndOutputsIntoToolMessages()
      throws Exception {
    final String origin = ResponsesReasoning.encryptedContent("openai-reasoning", "gpt-5", "sig");
    final ChatRequest request =
        normalize("{\"model\":\"openai/gpt-5\",\"input\":["
            + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Weather?\"}]},"
            + "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[{\"type\":\"summary_text\","
            + "\"text\":\"think\"}],\"encrypted_content\":\"" + origin + "\"},"
            + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
            + "\"text\":\"Checking.\"}]},"
            + "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"get_weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"},"
            + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"sunny\"}]}");

    final List<Message> messages = request.getMessages();
    assertThat(messages).extracting(Message::getRole).containsExactly("user", "assistant", "tool");
    final List<ContentPart> assistant = messages.get(1).getParts();
    assertThat(assistant).extracting(ContentPart::getType)
        .containsExactly(PartType.REASONING, PartType.TEXT, PartType.TOOL_CALL);
    assertThat(assistant.get(0).getText()).isEqualTo("think");
    assertThat(assistant.get(0).getReasoningFormat()).isEqualTo("openai-reasoning");
    assertThat(assistant.get(0).getReasoningFamily()).isEqualTo("gpt-5");
    assertThat(assistant.get(0).getReasoningSignature()).isEqualTo("sig");
    assertThat(assistant.get(2).getToolCallId()).isEqualTo("call_1");
    assertThat(assistant.get(2).getToolArgumentsJson()).isEqualTo("{\"city\":\"Oslo\"}");
    final ContentPart result = messages.get(2).getParts().get(0);
    assertThat(result.getType()).isEqualTo(PartType.TOOL_RESULT);
    assertThat(result.getToolCallId()).isEqualTo("call_1");
    assertThat(result.getText()).isEqualTo("sunny");
    assertThat(request.getRequestedModel()).isEqualTo("openai/gpt-5");
  }

  @Test
  void mapsFlatFunctionToolsChoiceEffortOutputCapAndJsonSchemaToTheChatForms() throws Exception {
    final ChatRequest request =
        normalize("{\"model\":\"auto\",\"input\":\"x\",\"max_output_tokens\":300,"
            + "\"reasoning\":{\"effort\":\"high\"},"
            + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"d\","
            + "\"parameters\":{\"type\":\"object\"},\"strict\":true}],"
            + "\"tool_choice\":{\"type\":\"function\",\"name\":\"get_weather\"},"
            + "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"w\",\"strict\":true,"
            + "\"schema\":{\"type\":\"object\"}}}}");

    assertThat(request.getTools()).singleElement().satisfies(tool -> {
      assertThat(tool.getName()).isEqualTo("get_weather");
      assertThat(tool.getDescription()).isEqualTo("d");
      assertThat(MAPPER.readTree(tool.getParametersJson()))
          .isEqualTo(MAPPER.readTree("{\"type\":\"object\"}"));
    });
    assertThat(MAPPER.readTree(request.getToolChoiceJson())).isEqualTo(
        MAPPER.readTree("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"));
    assertThat(request.getSampling().getMaxTokens()).isEqualTo(300);
    assertThat(request.getSampling().getReasoningEffort()).isEqualTo("high");
    assertThat(MAPPER.readTree(request.getSampling().getResponseFormatJson())).isEqualTo(
        MAPPER.readTree("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\","
            + "\"schema\":{\"type\":\"object\"},\"strict\":true}}"));
  }

  @Test
  void putsTheStoredConversationBetweenInstructionsAndInputAndKeepsItsSession() throws Exception {
    final Message earlier = MessageParts.message("user", List.of(MessageParts.text("1st")));
    final Message answer =
        MessageParts.message("assistant", List.of(MessageParts.text("ok")));
    final ChatRequest request =
        normalize("{\"model\":\"auto\",\"instructions\":\"I\",\"input\":\"2nd\"}",
            new ResponseStore.Conversation(List.of(earlier, answer), "sess_first"), NO_HEADERS);

    assertThat(request.getMessages()).extracting(m -> m.getParts().get(0).getText())
        .containsExactly("I", "1st", "ok", "2nd");
    assertThat(request.getSessionId()).isEqualTo("sess_first");

    final Map<String, String> headers = Map.of(Signals.SESSION_HEADER, "sess_own");
    final ChatRequest own =
        normalize("{\"model\":\"auto\",\"input\":\"2nd\"}",
            new ResponseStore.Conversation(List.of(earlier, answer), "sess_first"), headers::get);
    assertThat(own.getSessionId()).isEqualTo("sess_own");
  }

  @Test
  void storesByDefaultUnlessToldNot() throws Exception {
    assertThat(ResponsesNormalizer.store(MAPPER.readTree("{}"))).isTrue();
    assertThat(ResponsesNormalizer.store(MAPPER.readTree("{\"store\":false}"))).isFalse();
  }

  @Test
  void rejectsWhatTheResponsesApiDoesNotAcceptWith400NamingTheParameter() {
    assertInvalid("{\"input\":\"x\"}", "model");
    assertInvalid("{\"model\":\"auto\"}", "input");
    assertInvalid("{\"model\":\"auto\",\"input\":[]}", "input");
    assertInvalid("{\"model\":\"auto\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}",
        "input[0].type");
    assertInvalid("{\"model\":\"auto\",\"input\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
        "input[0].role");
    assertInvalid("{\"model\":\"auto\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}",
        "tools[0].type");
    assertInvalid("{\"model\":\"auto\",\"input\":\"x\",\"reasoning\":{\"effort\":\"max\"}}",
        "reasoning.effort");
    assertInvalid("{\"model\":\"auto\",\"input\":\"x\",\"max_output_tokens\":0}",
        "max_output_tokens");
    assertInvalid("{\"model\":\"auto\",\"input\":[{\"type\":\"function_call_output\","
        + "\"output\":\"x\"}]}", "input[0].call_id");
    assertInvalid("{\"model\":\"auto\",\"input\":\"x\",\"text\":{\"format\":{\"type\":"
        + "\"json_schema\",\"name\":\"n\"}}}", "text.format.schema");
  }

  private static void assertInvalid(final String json, final String param) {
    assertThatThrownBy(() -> normalize(json))
        .isInstanceOfSatisfying(GatewayException.class, error -> {
          assertThat(error.httpStatus()).isEqualTo(400);
          assertThat(error.param()).isEqualTo(param);
        });
  }
}
