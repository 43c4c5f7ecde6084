package dev.tiergate.router.predict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DifficultyPredictorTest {

  /** The RouteLLM dev file, as seen from this module's directory (the repo's sibling shared/). */
  /** A gzip copy of shared/data/routing/routellm-dev.jsonl, so the test runs in any clone. */
  private static final String DATA_RESOURCE = "/routing/routellm-dev.jsonl.gz";

  @TempDir Path tempDir;

  @Test
  void shippedModelLoadsAndScoresInTheUnitInterval() {
    final DifficultyPredictor model = DifficultyPredictor.loadDefault();

    final double math = model.score("Natalia sold clips to 48 of her friends in April, and then "
        + "she sold half as many clips in May. How many clips did Natalia sell altogether?");
    final double chat = model.score("hi");

    assertThat(math).isBetween(0.0, 1.0);
    assertThat(chat).isBetween(0.0, 1.0);
    assertThat(model.balancedThreshold()).isLessThanOrEqualTo(model.frontierThreshold());
  }

  @Test
  void scoresTheLastUserMessageOfARequest() {
    final DifficultyPredictor model = DifficultyPredictor.loadDefault();
    final ChatRequest request = ChatRequest.newBuilder()
        .setCorrelationId("req_1").setSessionId("sess_1").setTenant("acme")
        .setMessages(List.of(
            message("system", "You are a helpful assistant."),
            message("user", "Old question"),
            message("assistant", "Old answer"),
            message("user", "What is the derivative of x^3?")))
        .setReceivedAt(Instant.EPOCH)
        .build();

    assertThat(model.score(request)).isEqualTo(model.score("What is the derivative of x^3?"));
  }

  @Test
  void writtenModelReadsBackWithTheSameScoresAndThresholds() throws Exception {
    final float[] weights = new float[1 << 6];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (i % 7 - 3) / 10f;
    }
    final DifficultyPredictor model = new DifficultyPredictor(6, weights, 0.25f, 0.7, 0.4);
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    model.write(bytes);

    final DifficultyPredictor copy =
        DifficultyPredictor.read(new ByteArrayInputStream(bytes.toByteArray()));

    assertThat(copy.score("Prove the lemma")).isEqualTo(model.score("Prove the lemma"));
    assertThat(copy.tierFor(0.7)).isEqualTo("frontier");
    assertThat(copy.tierFor(0.5)).isEqualTo("balanced");
    assertThat(copy.tierFor(0.39)).isEqualTo("small");
  }

  @Test
  void featuresIgnoreCaseAndDigitsAndAreBoundedForLongPrompts() {
    final TextFeatures features = new TextFeatures(16);

    assertThat(features.buckets("Add 12 apples")).containsExactly(features.buckets("add 47 APPLES"));
    assertThat(features.buckets("x".repeat(1_000_000)).length)
        .isLessThanOrEqualTo(2 * TextFeatures.MAX_CHARS + 2);
  }

  @Test
  void beatsRandomRoutingOnHeldOutMmluDomains() throws Exception {
    final Path data = tempDir.resolve("routellm-dev.jsonl");
    try (InputStream in =
        new GZIPInputStream(DifficultyPredictorTest.class.getResourceAsStream(DATA_RESOURCE))) {
      Files.copy(in, data);
    }
    final List<LabeledPrompt> prompts = LabeledPrompt.readJsonl(data);
    assertThat(prompts).hasSize(8_312);
    final HoldoutSplit split = HoldoutSplit.byDomain(prompts, PredictorTraining.FOLDS, 1);

    final DifficultyPredictor model =
        new PredictorTrainer(PredictorTrainer.Options.defaults()).train(split.train());
    final RoutingEvaluation heldOut = PredictorTraining.evaluate(model, split.heldOut());

    assertThat(split.heldOut()).extracting(LabeledPrompt::domain)
        .doesNotContainAnyElementsOf(split.train().stream()
            .map(LabeledPrompt::domain).filter(d -> d.startsWith("mmlu/")).toList());
    assertThat(heldOut.apgr()).isGreaterThan(0.52);
  }

  private static Message message(final String role, final String text) {
    return Message.newBuilder().setRole(role)
        .setParts(List.of(ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build()))
        .build();
  }
}
