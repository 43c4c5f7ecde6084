package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.usage;
import static dev.tiergate.accounting.TopologyFixture.GPT;
import static dev.tiergate.accounting.TopologyFixture.MINI;
import static dev.tiergate.accounting.TopologyFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hour, day and month windows with grace; the counterfactual; cached and estimated tokens. */
class SpendWindowsTopologyTest {

  @TempDir Path stateDir;

  private TopologyFixture fx;

  @BeforeEach
  void start() {
    fx = TopologyFixture.start(stateDir);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void sumsEachRequestIntoItsHourDayAndMonth() {
    fx.send(at(event("req_1", "t", "plan", GPT, usage(0, 0, 100, 0)), time("2025-06-01T12:10:00Z")));
    fx.send(at(event("req_2", "t", "plan", GPT, usage(0, 0, 100, 0)), time("2025-06-01T12:50:00Z")));
    fx.send(at(event("req_3", "t", "plan", GPT, usage(0, 0, 100, 0)), time("2025-06-01T13:05:00Z")));

    assertThat(hour("2025-06-01T12:00:00Z").getRequests()).isEqualTo(2);
    assertThat(hour("2025-06-01T12:00:00Z").getCostMicros()).isEqualTo(2_000);
    assertThat(hour("2025-06-01T13:00:00Z").getRequests()).isEqualTo(1);
    assertThat(fx.windowed(SpendWindow.DAY, "t", SpendDimension.MODE, "plan",
        time("2025-06-01T00:00:00Z")).getCostMicros()).isEqualTo(3_000);
    assertThat(fx.windowed(SpendWindow.MONTH, "t", SpendDimension.MODE, "plan",
        time("2025-06-01T00:00:00Z")).getRequests()).isEqualTo(3);
    assertThat(fx.total("t", SpendDimension.MODE, "plan").getRequests()).isEqualTo(3);
  }

  @Test
  void monthsFollowTheCalendar() {
    fx.send(at(event("req_1", "t", "plan", GPT, usage(0, 0, 100, 0)), time("2025-06-30T23:59:00Z")));
    fx.send(at(event("req_2", "t", "plan", GPT, usage(0, 0, 200, 0)), time("2025-07-01T00:01:00Z")));

    assertThat(fx.windowed(SpendWindow.MONTH, "t", SpendDimension.MODE, "plan",
        time("2025-06-01T00:00:00Z")).getCostMicros()).isEqualTo(1_000);
    assertThat(fx.windowed(SpendWindow.MONTH, "t", SpendDimension.MODE, "plan",
        time("2025-07-01T00:00:00Z")).getCostMicros()).isEqualTo(2_000);
  }

  @Test
  void acceptsLateUsageWithinTheGraceAndDropsItFromClosedWindowsOnly() {
    fx.send(at(event("req_1", "t", "plan", GPT, usage(0, 0, 100, 0)), time("2025-06-01T12:10:00Z")));
    // Stream time moves to 14:30: hour 12 (ends 13:00, grace 1 h) is closed; hour 13 is not.
    fx.send(at(event("req_2", "t", "plan", GPT, usage(0, 0, 100, 0)), time("2025-06-01T14:30:00Z")));
    fx.send(at(event("late", "t", "plan", GPT, usage(0, 0, 100, 0)), time("2025-06-01T12:20:00Z")));
    fx.send(at(event("in_grace", "t", "plan", GPT, usage(0, 0, 100, 0)),
        time("2025-06-01T13:40:00Z")));

    assertThat(hour("2025-06-01T12:00:00Z").getRequests()).isEqualTo(1);
    assertThat(hour("2025-06-01T13:00:00Z").getRequests()).isEqualTo(1);
    assertThat(fx.windowed(SpendWindow.DAY, "t", SpendDimension.MODE, "plan",
        time("2025-06-01T00:00:00Z")).getRequests()).isEqualTo(4);
    assertThat(fx.total("t", SpendDimension.MODE, "plan").getRequests()).isEqualTo(4);
  }

  @Test
  void publishesWindowedUpdatesWithTheirWindowOnTheSpendTopic() {
    fx.send(at(event("req_1", "t", "plan", GPT, usage(0, 0, 100, 0)), time("2025-06-01T12:10:00Z")));

    final Map<String, SpendAggregate> published = fx.spend.readKeyValuesToMap();
    final String hourKey = new SpendKey("t", SpendDimension.MODE, SpendWindow.HOUR,
        time("2025-06-01T12:00:00Z"), "plan").encode();
    assertThat(published).containsKey(hourKey);
    assertThat(published.get(hourKey).getWindow()).isEqualTo("hour");
    assertThat(published.get(hourKey).getWindowStart()).isEqualTo(time("2025-06-01T12:00:00Z"));
    assertThat(published.get(hourKey).getCostMicros()).isEqualTo(1_000);
    // mode, model, tier x total, hour, day, month; session x total, day.
    assertThat(published.keySet()).hasSize(3 * 4 + 2);
  }

  @Test
  void pricesEveryRequestOnTheFrontierTiersFirstModelAsTheCounterfactual() {
    fx.frontierRoute(GPT, MINI);
    // On mini: 1000 x 0.25 + 200 x 2 = 650. On gpt-5: 1000 x 1.25 + 200 x 10 = 3250.
    fx.send(event("req_1", "t", "code", MINI, usage(1_000, 0, 200, 0)));
    // Already on the frontier model: the counterfactual is the cost itself.
    fx.send(event("req_2", "t", "plan", GPT, usage(1_000, 0, 200, 0)));

    final SpendAggregate code = fx.total("t", SpendDimension.MODE, "code");
    assertThat(code.getCostMicros()).isEqualTo(650);
    assertThat(code.getCounterfactualMicros()).isEqualTo(3_250);
    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getCounterfactualMicros()).isEqualTo(plan.getCostMicros()).isEqualTo(3_250);
  }

  @Test
  void pricesEmbeddingsOnTheFrontierTiersEmbeddingsModelNeverOnAChatModel() {
    fx.frontierRoute(GPT, MINI);
    fx.route("frontier/embeddings", "openai/text-embedding-3-large");
    fx.model(TestData.model("openai/text-embedding-3-large", 130_000, 0, 0));
    fx.model(TestData.model("openai/text-embedding-3-small", 20_000, 0, 0));
    // 2,000 input tokens, no output: 40 on the small model, 260 on the large one (2,500 on gpt-5).
    fx.send(event("req_1", "t", "embeddings", "openai/text-embedding-3-small", usage(2_000, 0, 0, 0)));

    final SpendAggregate embeddings = fx.total("t", SpendDimension.MODE, "embeddings");
    assertThat(embeddings.getCostMicros()).isEqualTo(40);
    assertThat(embeddings.getCounterfactualMicros()).isEqualTo(260);
  }

  @Test
  void claimsNoSavingWithoutAFrontierRuleOrPrice() {
    fx.send(event("req_1", "t", "code", MINI, usage(1_000, 0, 200, 0)));
    fx.frontierRoute("acme/unpriced");
    fx.send(event("req_2", "t", "code", MINI, usage(1_000, 0, 200, 0)));

    final SpendAggregate code = fx.total("t", SpendDimension.MODE, "code");
    assertThat(code.getCostMicros()).isEqualTo(1_300);
    assertThat(code.getCounterfactualMicros()).isEqualTo(1_300);
  }

  @Test
  void pricesCachedTokensOnceAtTheCachedPrice() {
    // 1000 in of which 400 cached: 600 x 1.25 + 400 x 0.125 = 800, never 1000 x 1.25 + 400 x 0.125.
    fx.send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 0, 0)));

    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getCostMicros()).isEqualTo(800);
    assertThat(plan.getInputTokens()).isEqualTo(1_000);
    assertThat(plan.getCachedInputTokens()).isEqualTo(400);
  }

  @Test
  void flagsEstimatedRowsInEveryAggregate() {
    final Usage estimated = usage(1_000, 0, 200, 0);
    estimated.setEstimated(true);
    fx.send(at(event("req_1", "t", "plan", GPT, estimated), time("2025-06-01T12:10:00Z")));
    fx.send(at(event("req_2", "t", "plan", GPT, usage(1_000, 0, 200, 0)),
        time("2025-06-01T12:20:00Z")));

    assertThat(fx.total("t", SpendDimension.MODE, "plan").getEstimatedRequests()).isEqualTo(1);
    assertThat(fx.total("t", SpendDimension.MODEL, GPT).getEstimatedRequests()).isEqualTo(1);
    assertThat(hour("2025-06-01T12:00:00Z").getEstimatedRequests()).isEqualTo(1);
    assertThat(hour("2025-06-01T12:00:00Z").getRequests()).isEqualTo(2);
    // An estimated row is still priced: spent tokens are never recorded as free.
    assertThat(fx.total("t", SpendDimension.MODE, "plan").getCostMicros()).isEqualTo(2 * 3_250);
  }

  private SpendAggregate hour(final String start) {
    final SpendAggregate aggregate =
        fx.windowed(SpendWindow.HOUR, "t", SpendDimension.MODE, "plan", time(start));
    assertThat(aggregate).as("hour %s", start).isNotNull();
    return aggregate;
  }

  private static Instant time(final String iso) {
    return Instant.parse(iso);
  }
}
