package dev.tiergate.router.predict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.router.predict.DifficultyScorer.Prediction;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The blend held to a share of the thread's time, on a fake clock the fake embedding advances. */
class PacedPredictorTest {

  private static final long EMBEDDING_NANOS = Duration.ofMillis(100).toNanos();

  private final AtomicLong clock = new AtomicLong();
  private final BlendedPredictor blend = new BlendedPredictor(
      BlendedPredictor.train(BlendedPredictorTest.prompts(), p -> embed(p.prompt()),
          PredictorTrainer.Options.defaults()),
      text -> {
        clock.addAndGet(EMBEDDING_NANOS);
        return embed(text);
      });
  private final PacedPredictor paced =
      new PacedPredictor(blend, 0.5, Duration.ofMillis(300), clock::get);

  @Test
  void aBurstBeyondTheBudgetIsScoredByTheNgramModelAtItsOwnThresholds() {
    final List<Prediction> burst = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      burst.add(paced.predict(request("a hard question number " + i), null));
    }

    // 300 ms in hand, each embedding takes 100 ms and earns 50 back: six fit, then it is spent.
    assertThat(burst.subList(0, 6)).allMatch(p -> p.standIn().isEmpty());
    assertThat(burst.subList(6, 8)).allMatch(p -> p.standIn().equals(Optional.of("n-gram")));
    final DifficultyPredictor ngram = blend.weights().ngram();
    final Prediction standIn = burst.get(7);
    assertThat(standIn.score()).isEqualTo(ngram.score("a hard question number 7"));
    assertThat(standIn.tier()).isEqualTo(ngram.tierFor(standIn.score()));
  }

  @Test
  void aQuietSpellRefillsTheBudget() {
    for (int i = 0; i < 8; i++) {
      paced.predict(request("an easy question number " + i), null);
    }
    assertThat(paced.predict(request("spent"), null).standIn()).isPresent();

    clock.addAndGet(Duration.ofMillis(400).toNanos());

    final Prediction after = paced.predict(request("a hard question after a pause"), 0.3);
    assertThat(after.standIn()).isEmpty();
    assertThat(after.score()).isEqualTo(blend.score("a hard question after a pause"));
    assertThat(after.tier()).isEqualTo(blend.tierFor(after.score(), 0.3));
  }

  @Test
  void underSteadyLoadTheEmbeddingTakesItsShareOfTheThread() {
    int blended = 0;
    for (int i = 0; i < 1_000; i++) {
      // A request every 50 ms after the last one was done: embedding each would take 2/3 of
      // the thread's time.
      clock.addAndGet(Duration.ofMillis(50).toNanos());
      if (paced.predict(request("question number " + i), null).standIn().isEmpty()) {
        blended++;
      }
    }

    final double embeddingShare = blended * (double) EMBEDDING_NANOS / clock.get();
    assertThat(embeddingShare).isBetween(0.49, 0.51);
    assertThat(blended).as("every other one, plus the burst's 300 ms at the start")
        .isBetween(500, 515);
  }

  private static float[] embed(final String text) {
    return text.contains("hard") ? new float[] {1, 0} : new float[] {0, 1};
  }

  private static ChatRequest request(final String text) {
    return ChatRequest.newBuilder()
        .setCorrelationId("req_1").setSessionId("sess_1").setTenant("acme")
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build())).build()))
        .setReceivedAt(Instant.EPOCH)
        .build();
  }
}
