package dev.tiergate.stack.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.tiergate.stack.simulator.SimulatedPrompt.PromptMessage;
import dev.tiergate.stack.simulator.SimulatedPrompt.ToolChoice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatorUnitsTest {

  @Test
  void countsAtLeastOneTokenPerMessage() {
    final SimulatedPrompt prompt = prompt("m", List.of(new PromptMessage("", "", 0),
        new PromptMessage("", "", 0)));

    assertThat(TokenEstimator.promptTokens(prompt)).isEqualTo(2);
  }

  @Test
  void countsAboutFourCharactersPerToken() {
    assertThat(TokenEstimator.tokens("a".repeat(400))).isEqualTo(100);
    assertThat(TokenEstimator.tokens("abcde")).isEqualTo(2);
  }

  @Test
  void cachesOnlyWholeBlocksOfLongPrompts() {
    assertThat(TokenEstimator.cachedTokens(1_024)).isZero();
    assertThat(TokenEstimator.cachedTokens(1_025)).isEqualTo(1_024);
    assertThat(TokenEstimator.cachedTokens(5_000)).isEqualTo(4_096);
  }

  @Test
  void reasonsAtMediumEffortByDefaultOnlyForReasoningModels() {
    final SimulatedPrompt chat = prompt("openai/gpt-4.1", List.of(new PromptMessage("user", "x", 0)));
    final SimulatedPrompt reasoning = prompt("openai/o3", List.of(new PromptMessage("user", "x", 0)));

    assertThat(ReplyGenerator.reasoningTokens(chat, 99L)).isZero();
    assertThat(ReplyGenerator.reasoningTokens(reasoning, 99L)).isBetween(256, 319);
  }

  @Test
  void fillerLengthVariesWithThePrompt() {
    final ReplyGenerator generator = new ReplyGenerator(new ObjectMapper(), 0);
    final long distinctLengths =
        java.util.stream.IntStream.range(0, 20)
            .mapToObj(i -> prompt("m", List.of(new PromptMessage("user", "prompt " + i, 0))))
            .map(p -> generator.reply(p).usage().completionTokens())
            .distinct()
            .count();

    assertThat(distinctLengths).isGreaterThan(5);
  }

  @Test
  void padsEveryTextReplyToTheConfiguredWordCount() {
    final ReplyGenerator generator = new ReplyGenerator(new ObjectMapper(), 120);

    for (final String user :
        List.of("short", "a  much longer   prompt that the reply quotes only in part, cut")) {
      final String content =
          generator.reply(prompt("openai/gpt-5-mini", List.of(new PromptMessage("user", user, 0))))
              .content();

      assertThat(content.split(" ")).hasSize(120);
      assertThat(OpenAiChatFormat.words(content)).hasSize(40);
    }
  }

  @Test
  void keepsAtLeastOneFillerWordWhenTheHeaderIsLongerThanTheWordCount() {
    final String content = ReplyGenerator.content(
        prompt("m", List.of(new PromptMessage("user", "one two three", 0))), 7L, 2);

    assertThat(content)
        .startsWith("Simulated reply from m to: one two three. Filler: ")
        .endsWith(".");
    assertThat(content.split(" ")).hasSize(10);
  }

  @Test
  void readsConfigFromEnvWithDefaults() {
    final SimulatorConfig config =
        SimulatorConfig.fromEnv(
            Map.of("SIMULATOR_PORT", "18080", "SIMULATOR_LATENCY_MS", "25",
                "SIMULATOR_FAIL_SHARE", "0.1", "SIMULATOR_REPLY_WORDS", "90"));

    assertThat(config.port()).isEqualTo(18_080);
    assertThat(config.latency()).isEqualTo(Duration.ofMillis(25));
    assertThat(config.failShare()).isEqualTo(0.1);
    assertThat(config.replyWords()).isEqualTo(90);
    assertThat(SimulatorConfig.defaults().replyWords()).isZero();
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.seed()).isEqualTo(SimulatorConfig.DEFAULT_SEED);
    assertThat(SimulatorConfig.fromEnv(Map.of())).isEqualTo(SimulatorConfig.defaults());
  }

  @Test
  void rejectsAFailShareOutsideZeroToOne() {
    assertThatThrownBy(() -> SimulatorConfig.fromEnv(Map.of("SIMULATOR_FAIL_SHARE", "1.5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("failShare");
    assertThatThrownBy(() -> SimulatorConfig.fromEnv(Map.of("SIMULATOR_PORT", "http")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SIMULATOR_PORT");
    assertThatThrownBy(() -> SimulatorConfig.fromEnv(Map.of("SIMULATOR_REPLY_WORDS", "-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SIMULATOR_REPLY_WORDS");
  }

  private static SimulatedPrompt prompt(final String model, final List<PromptMessage> messages) {
    return new SimulatedPrompt(
        model, messages, List.of(), ToolChoice.AUTO, 0, null, false, false);
  }

  @Test
  void neverCallsAToolWhenToolChoiceIsNone() {
    final SimulatedPrompt prompt =
        new SimulatedPrompt(
            "m",
            List.of(new PromptMessage("user", "use the tool", 0)),
            List.of(new SimulatedPrompt.ToolSpec("t", MissingNode.getInstance(), 10)),
            new ToolChoice(ToolChoice.Mode.NONE, null),
            0,
            null,
            false,
            false);

    assertThat(ReplyGenerator.chosenTool(prompt)).isNull();
  }
}
