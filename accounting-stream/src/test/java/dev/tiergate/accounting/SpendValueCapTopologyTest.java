package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.usage;
import static dev.tiergate.accounting.TopologyFixture.GPT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** At most N values per tenant, dimension and month; the rest under (other), totals intact. */
class SpendValueCapTopologyTest {

  private static final Instant DAY = Instant.parse("2025-06-01T00:00:00Z");

  @TempDir Path stateDir;

  private TopologyFixture fx;

  @BeforeEach
  void start() {
    fx = new TopologyFixture(TestData.config(stateDir).withSpendMaxValues(3), TestData.AT);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void countsValuesPastTheBoundUnderOtherAndKeepsTheTotal() {
    for (int i = 0; i < 5; i++) {
      // 100 out on gpt-5 = 1000 micros each.
      fx.send(session(event("req_" + i, "t", "code", GPT, usage(0, 0, 100, 0)), "task-" + i));
    }

    for (int i = 0; i < 3; i++) {
      assertThat(fx.total("t", SpendDimension.SESSION, "task-" + i).getCostMicros())
          .isEqualTo(1_000);
    }
    assertThat(fx.total("t", SpendDimension.SESSION, "task-3")).isNull();
    assertThat(fx.total("t", SpendDimension.SESSION, "task-4")).isNull();
    final SpendAggregate other = fx.total("t", SpendDimension.SESSION, SpendValueCap.OTHER);
    assertThat(other.getRequests()).isEqualTo(2);
    assertThat(other.getCostMicros()).isEqualTo(2_000);
    assertThat(fx.windowed(SpendWindow.DAY, "t", SpendDimension.SESSION, SpendValueCap.OTHER, DAY)
        .getCostMicros()).isEqualTo(2_000);
    // The mode dimension saw one value, so it is untouched.
    assertThat(fx.total("t", SpendDimension.MODE, "code").getCostMicros()).isEqualTo(5_000);
  }

  @Test
  void anAdmittedValueKeepsItsRowAfterTheBoundIsReached() {
    for (int i = 0; i < 4; i++) {
      fx.send(session(event("req_" + i, "t", "code", GPT, usage(0, 0, 100, 0)), "task-" + i));
    }
    fx.send(session(event("req_again", "t", "code", GPT, usage(0, 0, 100, 0)), "task-0"));

    assertThat(fx.total("t", SpendDimension.SESSION, "task-0").getRequests()).isEqualTo(2);
    assertThat(fx.total("t", SpendDimension.SESSION, SpendValueCap.OTHER).getRequests())
        .isEqualTo(1);
  }

  @Test
  void eachTenantHasItsOwnBound() {
    for (int i = 0; i < 3; i++) {
      fx.send(session(event("req_a" + i, "a", "code", GPT, usage(0, 0, 100, 0)), "task-" + i));
    }
    fx.send(session(event("req_b", "b", "code", GPT, usage(0, 0, 100, 0)), "task-9"));

    assertThat(fx.total("b", SpendDimension.SESSION, "task-9").getRequests()).isEqualTo(1);
    assertThat(fx.total("a", SpendDimension.SESSION, SpendValueCap.OTHER)).isNull();
  }

  private static UsageEvent session(final UsageEvent event, final String task) {
    return UsageEvent.newBuilder(event).setSessionId(task).build();
  }
}
