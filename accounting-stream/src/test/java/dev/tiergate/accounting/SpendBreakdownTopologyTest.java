package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.usage;
import static dev.tiergate.accounting.TopologyFixture.GPT;
import static dev.tiergate.accounting.TopologyFixture.MINI;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spend by session, parent session and project, and the windows each is kept in. */
class SpendBreakdownTopologyTest {

  private static final Instant DAY = Instant.parse("2025-06-01T00:00:00Z");
  private static final Instant HOUR = Instant.parse("2025-06-01T12:00:00Z");

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
  void sumsSpendPerSessionParentSessionAndProject() {
    // 100 out on gpt-5 = 1000 micros; 100 out on gpt-5-mini = 200 micros.
    fx.send(kilo(event("req_1", "t", "code", GPT, usage(0, 0, 100, 0)), "task-a", "proj-x"));
    fx.send(kilo(event("req_2", "t", "plan", MINI, usage(0, 0, 100, 0)), "task-b", "proj-x"));
    fx.send(kilo(event("req_3", "t", "code", GPT, usage(0, 0, 100, 0)), "task-a", "proj-y"));

    assertThat(fx.total("t", SpendDimension.SESSION, "task-a").getCostMicros()).isEqualTo(2_000);
    assertThat(fx.total("t", SpendDimension.SESSION, "task-a").getRequests()).isEqualTo(2);
    assertThat(fx.total("t", SpendDimension.SESSION, "task-b").getCostMicros()).isEqualTo(200);
    final SpendAggregate parent = fx.total("t", SpendDimension.PARENT_SESSION, "task-root");
    assertThat(parent.getRequests()).isEqualTo(3);
    assertThat(parent.getCostMicros()).isEqualTo(2_200);
    assertThat(parent.getDimension()).isEqualTo("parent_session");
    assertThat(fx.total("t", SpendDimension.PROJECT, "proj-x").getCostMicros()).isEqualTo(1_200);
    assertThat(fx.total("t", SpendDimension.PROJECT, "proj-y").getCostMicros()).isEqualTo(1_000);
    assertThat(fx.total("t", SpendDimension.FEATURE, "vscode-extension").getCostMicros())
        .isEqualTo(2_200);
  }

  @Test
  void keepsSessionsInTotalAndDayOnlyAndProjectsInEveryWindow() {
    fx.send(kilo(event("req_1", "t", "code", GPT, usage(0, 0, 100, 0)), "task-a", "proj-x"));

    assertThat(fx.windowed(SpendWindow.DAY, "t", SpendDimension.SESSION, "task-a", DAY)
        .getCostMicros()).isEqualTo(1_000);
    assertThat(fx.windowed(SpendWindow.DAY, "t", SpendDimension.PARENT_SESSION, "task-root", DAY)
        .getCostMicros()).isEqualTo(1_000);
    assertThat(fx.windowed(SpendWindow.HOUR, "t", SpendDimension.SESSION, "task-a", HOUR))
        .isNull();
    assertThat(fx.windowed(SpendWindow.MONTH, "t", SpendDimension.PARENT_SESSION, "task-root",
        DAY)).isNull();
    assertThat(fx.windowed(SpendWindow.HOUR, "t", SpendDimension.PROJECT, "proj-x", HOUR)
        .getCostMicros()).isEqualTo(1_000);
    assertThat(fx.windowed(SpendWindow.MONTH, "t", SpendDimension.PROJECT, "proj-x", DAY)
        .getCostMicros()).isEqualTo(1_000);
    assertThat(fx.windowed(SpendWindow.HOUR, "t", SpendDimension.MODE, "code", HOUR)
        .getCostMicros()).isEqualTo(1_000);
  }

  @Test
  void leavesUsageWithoutSessionParentOrProjectOutOfThoseDimensions() {
    final UsageEvent plain = UsageEvent.newBuilder(
            event("req_1", "t", "code", GPT, usage(0, 0, 100, 0)))
        .setSessionId(null)
        .build();
    fx.send(plain);

    final Map<String, SpendAggregate> published = fx.spend.readKeyValuesToMap();
    assertThat(published.keySet()).noneMatch(key -> key.startsWith("t|session|")
        || key.startsWith("t|parent_session|") || key.startsWith("t|project|"));
    assertThat(fx.total("t", SpendDimension.MODE, "code").getCostMicros()).isEqualTo(1_000);
  }

  @Test
  void publishesSessionSpendOnTheSpendTopicUnderItsOwnDimension() {
    fx.send(kilo(event("req_1", "t", "code", GPT, usage(0, 0, 100, 0)), "task-a", "proj-x"));

    final Map<String, SpendAggregate> published = fx.spend.readKeyValuesToMap();
    final String total =
        new SpendKey("t", SpendDimension.SESSION, SpendWindow.TOTAL, Instant.EPOCH, "task-a")
            .encode();
    final String day =
        new SpendKey("t", SpendDimension.PARENT_SESSION, SpendWindow.DAY, DAY, "task-root")
            .encode();
    assertThat(published.get(total).getCostMicros()).isEqualTo(1_000);
    assertThat(published.get(day).getCostMicros()).isEqualTo(1_000);
    assertThat(published.keySet()).noneMatch(key -> key.startsWith("t|session|hour|"));
  }

  /** A usage as a Kilo sub-agent reports it: its task, the parent task, feature and project. */
  private static UsageEvent kilo(final UsageEvent event, final String task, final String project) {
    return UsageEvent.newBuilder(event)
        .setSessionId(task)
        .setParentSessionId("task-root")
        .setFeature("vscode-extension")
        .setProjectId(project)
        .build();
  }
}
