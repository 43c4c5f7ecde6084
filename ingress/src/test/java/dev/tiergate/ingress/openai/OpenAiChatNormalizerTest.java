package dev.tiergate.ingress.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.tiergate.schemas.SamplingParams;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiChatNormalizerTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Caller CALLER = new Caller("acme", Tier.BALANCED);
  private static final HeaderLookup NO_HEADERS = name -> null;

  private final OpenAiChatNormalizer normalizer =
      new OpenAiChatNormalizer(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));

  private ChatRequest normalize(final String json) throws Exception {
    return normalizer.normalize(MAPPER.readTree(json), CALLER, NO_HEADERS);
  }

  private static String body(final String messages, final String extra) {
    return "{\"model\":\"auto\",\"messages\":" + messages + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  @Test
  void fillsEnvelopeWithCorrelationIdTenantApiKindAndReceivedAt() throws Exception {
    final ChatRequest request = normalize(body("[{\"role\":\"user\",\"content\":\"hi\"}]", ""));

    assertThat(request.getCorrelationId()).startsWith("req_").hasSizeGreaterThan(10);
    assertThat(request.getTenant()).isEqualTo("acme");
    assertThat(request.getApiKind()).isEqualTo(ApiKind.OPENAI_CHAT);
    assertThat(request.getReceivedAt()).isEqualTo(Fixtures.NOW);
    assertThat(request.getSessionId()).startsWith("sess_");
    assertThat(request.getStream()).isFalse();
  }

  @Test
  void keepsEveryRoleWithStringContentAsTextPart() throws Exception {
    final ChatRequest request =
        normalize(
            body(
                "[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"developer\",\"content\":\"d\"},"
                    + "{\"role\":\"user\",\"content\":\"u\",\"name\":\"ann\"},"
                    + "{\"role\":\"assistant\",\"content\":\"a\"}]",
                ""));

    assertThat(request.getMessages())
        .extracting(Message::getRole)
        .containsExactly("system", "developer", "user", "assistant");
    assertThat(request.getMessages())
        .extracting(m -> m.getParts().get(0).getText())
        .containsExactly("s", "d", "u", "a");
    assertThat(request.getMessages().get(2).getName()).isEqualTo("ann");
    assertThat(request.getMessages().get(0).getParts().get(0).getType()).isEqualTo(PartType.TEXT);
  }

  @Test
  void mapsArrayContentToTextAndImageParts() throws Exception {
    final ChatRequest request =
        normalize(
            body(
                "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is this\"},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x.test/a.jpg\",\"detail\":\"low\"}}]}]",
                ""));

    final var parts = request.getMessages().get(0).getParts();
    assertThat(parts).extracting(ContentPart::getType)
        .containsExactly(PartType.TEXT, PartType.IMAGE, PartType.IMAGE);
    assertThat(parts.get(1).getImageUrl()).isEqualTo("data:image/png;base64,AAAA");
    assertThat(parts.get(1).getMediaType()).isEqualTo("image/png");
    assertThat(parts.get(2).getImageUrl()).isEqualTo("https://x.test/a.jpg");
    assertThat(parts.get(2).getMediaType()).isNull();
  }

  @Test
  void mapsAssistantToolCallsAndToolResults() throws Exception {
    final ChatRequest request =
        normalize(
            body(
                "[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                    + "\"type\":\"function\",\"function\":{\"name\":\"read_file\","
                    + "\"arguments\":\"{\\\"path\\\":\\\"a.txt\\\"}\"}}]},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"file body\"}]",
                ""));

    final ContentPart call = request.getMessages().get(0).getParts().get(0);
    assertThat(request.getMessages().get(0).getParts()).hasSize(1);
    assertThat(call.getType()).isEqualTo(PartType.TOOL_CALL);
    assertThat(call.getToolCallId()).isEqualTo("call_1");
    assertThat(call.getToolName()).isEqualTo("read_file");
    assertThat(call.getToolArgumentsJson()).isEqualTo("{\"path\":\"a.txt\"}");
    final ContentPart result = request.getMessages().get(1).getParts().get(0);
    assertThat(result.getType()).isEqualTo(PartType.TOOL_RESULT);
    assertThat(result.getToolCallId()).isEqualTo("call_1");
    assertThat(result.getText()).isEqualTo("file body");
  }

  @Test
  void joinsTextPartsOfAToolResult() throws Exception {
    final ChatRequest request =
        normalize(
            body(
                "[{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                    + "{\"type\":\"text\",\"text\":\"b\"}]}]",
                ""));

    assertThat(request.getMessages().get(0).getParts()).singleElement()
        .extracting(ContentPart::getText).isEqualTo("ab");
  }

  @Test
  void keepsAssistantReasoningAsReasoningPart() throws Exception {
    final ChatRequest request =
        normalize(
            body("[{\"role\":\"assistant\",\"reasoning_content\":\"thinking\",\"content\":\"done\"}]", ""));

    assertThat(request.getMessages().get(0).getParts())
        .extracting(ContentPart::getType)
        .containsExactly(PartType.REASONING, PartType.TEXT);
  }

  @Test
  void mapsToolsWithParametersAsJsonTextAndToolChoice() throws Exception {
    final ChatRequest request =
        normalize(
            body(
                "[{\"role\":\"user\",\"content\":\"hi\"}]",
                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"read_file\","
                    + "\"description\":\"Reads\",\"parameters\":{\"type\":\"object\","
                    + "\"properties\":{\"path\":{\"type\":\"string\"}}}}},"
                    + "{\"type\":\"function\",\"function\":{\"name\":\"noop\"}}],"
                    + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"read_file\"}}"));

    assertThat(request.getTools()).hasSize(2);
    assertThat(request.getTools().get(0).getName()).isEqualTo("read_file");
    assertThat(request.getTools().get(0).getDescription()).isEqualTo("Reads");
    final JsonNode parameters = MAPPER.readTree(request.getTools().get(0).getParametersJson());
    assertThat(parameters.at("/properties/path/type").asText()).isEqualTo("string");
    assertThat(request.getTools().get(1).getParametersJson()).isEqualTo("{}");
    assertThat(MAPPER.readTree(request.getToolChoiceJson()).at("/function/name").asText())
        .isEqualTo("read_file");
  }

  @Test
  void keepsStringToolChoiceAsJsonText() throws Exception {
    final ChatRequest request =
        normalize(body("[{\"role\":\"user\",\"content\":\"hi\"}]", "\"tool_choice\":\"required\""));

    assertThat(request.getToolChoiceJson()).isEqualTo("\"required\"");
  }

  @Test
  void mapsSamplingParameters() throws Exception {
    final ChatRequest request =
        normalize(
            body(
                "[{\"role\":\"user\",\"content\":\"hi\"}]",
                "\"temperature\":0.2,\"top_p\":0.9,\"max_tokens\":100,\"max_completion_tokens\":200,"
                    + "\"stop\":[\"END\",\"STOP\"],\"seed\":42,"
                    + "\"response_format\":{\"type\":\"json_object\"},\"reasoning_effort\":\"low\","
                    + "\"stream\":true"));

    final SamplingParams sampling = request.getSampling();
    assertThat(sampling.getTemperature()).isEqualTo(0.2);
    assertThat(sampling.getTopP()).isEqualTo(0.9);
    assertThat(sampling.getMaxTokens()).isEqualTo(200);
    assertThat(sampling.getStop()).containsExactly("END", "STOP");
    assertThat(sampling.getSeed()).isEqualTo(42L);
    assertThat(sampling.getResponseFormatJson()).isEqualTo("{\"type\":\"json_object\"}");
    assertThat(sampling.getReasoningEffort()).isEqualTo("low");
    assertThat(request.getStream()).isTrue();
  }

  @Test
  void acceptsStopAsSingleStringAndMaxTokensAlone() throws Exception {
    final ChatRequest request =
        normalize(
            body("[{\"role\":\"user\",\"content\":\"hi\"}]", "\"stop\":\"END\",\"max_tokens\":64"));

    assertThat(request.getSampling().getStop()).containsExactly("END");
    assertThat(request.getSampling().getMaxTokens()).isEqualTo(64);
    assertThat(request.getSampling().getTemperature()).isNull();
  }

  @Test
  void takesModeFeatureAndSessionFromHeaders() throws Exception {
    final Map<String, String> headers =
        Map.of("x-kilocode-mode", "Architect", "x-kilocode-feature", "vscode", "x-kilocode-taskid", "task-9");
    final ChatRequest request =
        normalizer.normalize(
            MAPPER.readTree(body("[{\"role\":\"user\",\"content\":\"hi\"}]", "")),
            CALLER,
            headers::get);

    assertThat(request.getMode()).isEqualTo("architect");
    assertThat(request.getFeature()).isEqualTo("vscode");
    assertThat(request.getSessionId()).isEqualTo("task-9");
  }

  @Test
  void virtualModelSelectsTierAndIsNotARequestedModel() throws Exception {
    final ChatRequest request =
        normalize("{\"model\":\"kilo-auto/frontier\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(request.getTier()).isEqualTo("frontier");
    assertThat(request.getRequestedModel()).isNull();
  }

  @Test
  void explicitModelIsPassedAsRequestedModelWithDefaultTier() throws Exception {
    final ChatRequest request =
        normalize("{\"model\":\"anthropic/claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(request.getRequestedModel()).isEqualTo("anthropic/claude-sonnet-4-5");
    assertThat(request.getTier()).isEqualTo("balanced");
  }

  @Test
  void rejectsMissingModelWith400() {
    assertThatThrownBy(() -> normalize("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(400);
              assertThat(e.param()).isEqualTo("model");
            });
  }

  @Test
  void rejectsMissingOrEmptyMessagesWith400() {
    assertThatThrownBy(() -> normalize("{\"model\":\"auto\"}"))
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.param()).isEqualTo("messages"));
    assertThatThrownBy(() -> normalize("{\"model\":\"auto\",\"messages\":[]}"))
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.param()).isEqualTo("messages"));
  }

  @Test
  void rejectsUnknownRoleAndWrongTypesWith400() {
    assertThatThrownBy(() -> normalize(body("[{\"role\":\"wizard\",\"content\":\"hi\"}]", "")))
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.param()).isEqualTo("messages[0].role"));
    assertThatThrownBy(
            () -> normalize(body("[{\"role\":\"user\",\"content\":\"hi\"}]", "\"temperature\":\"hot\"")))
        .isInstanceOfSatisfying(
            GatewayException.class, e -> assertThat(e.param()).isEqualTo("temperature"));
    assertThatThrownBy(() -> normalize(body("[{\"role\":\"tool\",\"content\":\"x\"}]", "")))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> assertThat(e.param()).isEqualTo("messages[0].tool_call_id"));
  }

  @Test
  void readsIncludeUsageFromStreamOptions() throws Exception {
    assertThat(
            OpenAiChatNormalizer.includeUsage(
                MAPPER.readTree("{\"stream_options\":{\"include_usage\":true}}")))
        .isTrue();
    assertThat(OpenAiChatNormalizer.includeUsage(MAPPER.readTree("{}"))).isFalse();
  }
}
