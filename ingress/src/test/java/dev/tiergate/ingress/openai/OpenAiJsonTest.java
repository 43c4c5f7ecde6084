package dev.tiergate.ingress.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.Fixtures;
import dev.tiergate.ingress.anthropic.AnthropicJson;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.ToolCall;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final OpenAiJson json = new OpenAiJson(MAPPER);

  @Test
  void rendersChatCompletionWithServedModelAndUsageDetails() throws Exception {
    final JsonNode body = MAPPER.readTree(json.completion(Fixtures.response("req_1")));

    assertThat(body.path("id").asText()).isEqualTo("req_1");
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("created").asLong()).isEqualTo(Fixtures.NOW.getEpochSecond());
    assertThat(body.path("model").asText()).isEqualTo(Fixtures.SERVED_MODEL);
    assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
    assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("Hello there");
    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(body.at("/usage/prompt_tokens").asLong()).isEqualTo(120);
    assertThat(body.at("/usage/completion_tokens").asLong()).isEqualTo(30);
    assertThat(body.at("/usage/total_tokens").asLong()).isEqualTo(150);
    assertThat(body.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(100);
    assertThat(body.at("/usage/completion_tokens_details/reasoning_tokens").asLong()).isEqualTo(7);
  }

  @Test
  void rendersToolCallsWithNullContent() throws Exception {
    final ChatResponse response =
        ChatResponse.newBuilder(Fixtures.response("req_2"))
            .setContent(null)
            .setFinishReason(null)
            .setToolCalls(
                List.of(
                    ToolCall.newBuilder()
                        .setId("call_9")
                        .setName("read_file")
                        .setArgumentsJson("{\"path\":\"a\"}")
                        .build()))
            .build();

    final JsonNode body = MAPPER.readTree(json.completion(response));

    assertThat(body.at("/choices/0/message/content").isNull()).isTrue();
    assertThat(body.at("/choices/0/message/tool_calls/0/id").asText()).isEqualTo("call_9");
    assertThat(body.at("/choices/0/message/tool_calls/0/type").asText()).isEqualTo("function");
    assertThat(body.at("/choices/0/message/tool_calls/0/function/name").asText())
        .isEqualTo("read_file");
    assertThat(body.at("/choices/0/message/tool_calls/0/function/arguments").asText())
        .isEqualTo("{\"path\":\"a\"}");
    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void rendersErrorsInOpenAiShape() throws Exception {
    final JsonNode body =
        MAPPER.readTree(json.error(GatewayException.invalidRequest("messages", "bad messages")));

    assertThat(body.at("/error/message").asText()).isEqualTo("bad messages");
    assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(body.at("/error/param").asText()).isEqualTo("messages");
    assertThat(body.at("/error/code").asText()).isEqualTo("invalid_request");
  }

  @Test
  void mapsPipelineErrorsToStatusAndOpenAiType() {
    assertThat(GatewayException.fromPipeline(error("insufficient_quota", 429)))
        .satisfies(e -> assertThat(e.type()).isEqualTo("insufficient_quota"))
        .satisfies(e -> assertThat(e.httpStatus()).isEqualTo(429));
    assertThat(GatewayException.fromPipeline(error("rate_limited", 429)).type())
        .isEqualTo("rate_limit_error");
    assertThat(GatewayException.fromPipeline(error("unroutable", 422)).type())
        .isEqualTo("invalid_request_error");
    assertThat(GatewayException.fromPipeline(error("provider_error", 502)))
        .satisfies(e -> assertThat(e.type()).isEqualTo("server_error"))
        .satisfies(e -> assertThat(e.code()).isEqualTo("provider_error"));
    assertThat(GatewayException.fromPipeline(error("weird", 200)).httpStatus()).isEqualTo(502);
  }

  @Test
  void refusedModelIsA403WithItsCodeInOpenAiAndAnthropicBodies() throws Exception {
    final GatewayException refused = GatewayException.fromPipeline(error("model_not_allowed", 403));

    final JsonNode openAi = MAPPER.readTree(json.error(refused));
    final JsonNode anthropic = MAPPER.readTree(new AnthropicJson(MAPPER).error(refused));

    assertThat(refused.httpStatus()).isEqualTo(403);
    assertThat(openAi.at("/error/type").asText()).isEqualTo("permission_error");
    assertThat(openAi.at("/error/code").asText()).isEqualTo("model_not_allowed");
    assertThat(openAi.at("/error/param").asText()).isEqualTo("model");
    assertThat(anthropic.at("/type").asText()).isEqualTo("error");
    assertThat(anthropic.at("/error/type").asText()).isEqualTo("permission_error");
    assertThat(anthropic.at("/error/code").asText()).isEqualTo("model_not_allowed");
  }

  private static ErrorInfo error(final String type, final int status) {
    return ErrorInfo.newBuilder().setType(type).setMessage("m").setHttpStatus(status).build();
  }
}
