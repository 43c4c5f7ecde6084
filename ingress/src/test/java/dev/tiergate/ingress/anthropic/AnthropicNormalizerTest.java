package dev.tiergate.ingress.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Anthropic Messages bodies into the normalized request, and every caller mistake as a 4xx. */
class AnthropicNormalizerTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Caller DEMO = new Caller("demo", Tier.BALANCED);
  private static final HeaderLookup NO_HEADERS = name -> null;

  private final AnthropicNormalizer normalizer =
      new AnthropicNormalizer(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));

  private ChatRequest normalize(final String json) throws Exception {
    return normalizer.normalize(MAPPER.readTree(json), DEMO, NO_HEADERS);
  }

  private GatewayException rejection(final String json, final Caller caller) throws Exception {
    final JsonNode body = MAPPER.readTree(json);
    final Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
        () -> normalizer.normalize(body, caller, NO_HEADERS));
    assertThat(thrown).isInstanceOf(GatewayException.class);
    return (GatewayException) thrown;
  }

  @Test
  void normalizesSystemPromptMessagesAndSampling() throws Exception {
    final ChatRequest request =
        normalize(
            """
            {"model":"auto/frontier","max_tokens":1024,"system":"Be brief.","temperature":0.2,
             "stop_sequences":["END"],"metadata":{"mode":"Plan","feature":"review"},
             "messages":[{"role":"user","content":"Plan it"}]}""");

    assertThat(request.getApiKind()).isEqualTo(ApiKind.ANTHROPIC_MESSAGES);
    assertThat(request.getCorrelationId()).startsWith("req_");
    assertThat(request.getTier()).isEqualTo("frontier");
    assertThat(request.getRequestedModel()).isNull();
    assertThat(request.getMode()).isEqualTo("plan");
    assertThat(request.getFeature()).isEqualTo("review");
    assertThat(request.getMessages()).extracting(Message::getRole).containsExactly("system", "user");
    assertThat(request.getMessages().get(0).getParts().get(0).getText()).isEqualTo("Be brief.");
    assertThat(request.getSampling().getMaxTokens()).isEqualTo(1024);
    assertThat(request.getSampling().getTemperature()).isEqualTo(0.2);
    assertThat(request.getSampling().getStop()).containsExactly("END");
    assertThat(request.getReceivedAt()).isEqualTo(Fixtures.NOW);
  }

  @Test
  void keepsThinkingSignaturesToolUseAndToolResults() throws Exception {
    final ChatRequest request =
        normalize(
            """
            {"model":"auto","max_tokens":512,"thinking":{"type":"enabled","budget_tokens":20000},
             "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}}],
             "tool_choice":{"type":"tool","name":"get_weather"},
             "messages":[
              {"role":"user","content":"Weather?"},
              {"role":"assistant","content":[
                {"type":"thinking","thinking":"Need the tool","signature":"sig-abc"},
                {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"}],
                 "is_error":false}]}]}""");

    final Message assistant = request.getMessages().get(1);
    final ContentPart thinking = assistant.getParts().get(0);
    assertThat(thinking.getType()).isEqualTo(PartType.REASONING);
    assertThat(thinking.getText()).isEqualTo("Need the tool");
    assertThat(thinking.getReasoningSignature()).isEqualTo("sig-abc");
    assertThat(thinking.getReasoningFormat()).isEqualTo("anthropic-thinking");
    final ContentPart call = assistant.getParts().get(1);
    assertThat(call.getType()).isEqualTo(PartType.TOOL_CALL);
    assertThat(call.getToolCallId()).isEqualTo("toolu_1");
    assertThat(MAPPER.readTree(call.getToolArgumentsJson())).isEqualTo(MAPPER.readTree("{\"city\":\"Oslo\"}"));
    final ContentPart result = request.getMessages().get(2).getParts().get(0);
    assertThat(result.getType()).isEqualTo(PartType.TOOL_RESULT);
    assertThat(result.getToolCallId()).isEqualTo("toolu_1");
    assertThat(result.getText()).isEqualTo("sunny");
    assertThat(request.getTools()).singleElement()
        .satisfies(tool -> assertThat(tool.getParametersJson()).isEqualTo("{\"type\":\"object\"}"));
    assertThat(MAPPER.readTree(request.getToolChoiceJson()))
        .isEqualTo(MAPPER.readTree("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"));
    assertThat(request.getSampling().getReasoningEffort()).isEqualTo("high");
  }

  @Test
  void mapsAnyToolChoiceToRequiredAndBase64ImagesToDataUrls() throws Exception {
    final ChatRequest request =
        normalize(
            """
            {"model":"openai/gpt-5","max_tokens":64,"tool_choice":{"type":"any"},
             "messages":[{"role":"user","content":[
               {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},
               {"type":"text","text":"What is this?"}]}]}""");

    assertThat(request.getToolChoiceJson()).isEqualTo("\"required\"");
    assertThat(request.getRequestedModel()).isEqualTo("openai/gpt-5");
    final ContentPart image = request.getMessages().get(0).getParts().get(0);
    assertThat(image.getImageUrl()).isEqualTo("data:image/png;base64,AAAA");
    assertThat(image.getMediaType()).isEqualTo("image/png");
  }

  @Test
  void rejectsMissingMaxTokensWith400() throws Exception {
    final GatewayException error =
        rejection("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", DEMO);

    assertThat(error.httpStatus()).isEqualTo(400);
    assertThat(error.param()).isEqualTo("max_tokens");
  }

  @Test
  void rejectsUnknownBlocksRolesAndMisplacedToolUseWith400() throws Exception {
    assertThat(rejection(
            "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}",
            DEMO).param()).isEqualTo("messages[0].role");
    assertThat(rejection(
            "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"video\"}]}]}", DEMO).param()).isEqualTo("messages[0].content[0].type");
    assertThat(rejection(
            "{\"model\":\"auto\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}]}]}", DEMO)
            .httpStatus()).isEqualTo(400);
  }

  @Test
  void rejectsATierTheKeyMayNotUseWith403() throws Exception {
    final Caller smallOnly = new Caller("acme", Tier.SMALL, EnumSet.of(Tier.SMALL, Tier.FREE));

    final GatewayException error =
        rejection(
            "{\"model\":\"auto/frontier\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            smallOnly);

    assertThat(error.httpStatus()).isEqualTo(403);
    assertThat(error.type()).isEqualTo("permission_error");
    assertThat(AnthropicJson.errorType(error.httpStatus())).isEqualTo("permission_error");
  }

  @Test
  void headersWinOverMetadataSignals() throws Exception {
    final JsonNode body =
        MAPPER.readTree(
            "{\"model\":\"auto\",\"max_tokens\":8,\"metadata\":{\"mode\":\"plan\",\"session_id\":\"s-meta\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    final Map<String, String> headers = Map.of("x-kilocode-mode", "code");

    final ChatRequest request = normalizer.normalize(body, DEMO, headers::get);

    assertThat(request.getMode()).isEqualTo("code");
    assertThat(request.getSessionId()).isEqualTo("s-meta");
  }
}
