package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.usage;
import static dev.tiergate.accounting.TopologyFixture.GPT;
import static dev.tiergate.accounting.TopologyFixture.MINI;
import static dev.tiergate.accounting.TopologyFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.SpendAggregate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spend deltas summed per key for an interval before the repartition, with exact totals. */
class SpendPresumTopologyTest {

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
  void sumsTheRequestsOfOneIntervalIntoOneUpdatePerKey() {
    fx.sendWithoutFlush(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));
    fx.sendWithoutFlush(event("req_2", "t", "plan", GPT, usage(3, 0, 1, 0)));
    fx.sendWithoutFlush(event("req_3", "t", "plan", MINI, usage(0, 0, 100, 0)));

    assertThat(fx.total("t", SpendDimension.MODE, "plan")).as("pending until the interval ends")
        .isNull();
    fx.flush();

    final SpendAggregate plan = fx.total("t", SpendDimension.MODE, "plan");
    assertThat(plan.getRequests()).isEqualTo(3);
    assertThat(plan.getCostMicros()).isEqualTo(2_800 + 14 + 200);
    assertThat(plan.getInputTokens()).isEqualTo(1_003);
    assertThat(plan.getCachedInputTokens()).isEqualTo(400);
    assertThat(plan.getReasoningTokens()).isEqualTo(50);
    assertThat(fx.total("t", SpendDimension.MODEL, MINI).getCostMicros()).isEqualTo(200);
    final String planKey =
        new SpendKey("t", SpendDimension.MODE, SpendWindow.TOTAL, Instant.EPOCH, "plan").encode();
    final List<KeyValue<String, SpendAggregate>> updates = fx.spend.readKeyValuesToList().stream()
        .filter(update -> update.key.equals(planKey))
        .toList();
    assertThat(updates).hasSize(1);
    assertThat(updates.get(0).value.getRequests()).isEqualTo(3);
  }

  @Test
  void keepsEachHourApartSoWindowsMatchSingleRequests() {
    fx.sendWithoutFlush(at(event("req_1", "t", "plan", GPT, usage(0, 0, 100, 0)),
        Instant.parse("2025-06-01T12:10:00Z")));
    fx.sendWithoutFlush(at(event("req_2", "t", "plan", GPT, usage(0, 0, 200, 0)),
        Instant.parse("2025-06-01T13:05:00Z")));
    fx.sendWithoutFlush(at(event("req_3", "t", "plan", GPT, usage(0, 0, 400, 0)),
        Instant.parse("2025-06-01T12:50:00Z")));
    fx.flush();

    assertThat(fx.windowed(SpendWindow.HOUR, "t", SpendDimension.MODE, "plan",
        Instant.parse("2025-06-01T12:00:00Z")).getCostMicros()).isEqualTo(5_000);
    assertThat(fx.windowed(SpendWindow.HOUR, "t", SpendDimension.MODE, "plan",
        Instant.parse("2025-06-01T13:00:00Z")).getCostMicros()).isEqualTo(2_000);
    assertThat(fx.windowed(SpendWindow.DAY, "t", SpendDimension.MODE, "plan",
        Instant.parse("2025-06-01T00:00:00Z")).getRequests()).isEqualTo(3);
    assertThat(fx.total("t", SpendDimension.MODE, "plan").getCostMicros()).isEqualTo(7_000);
  }

  @Test
  void addsEachIntervalToWhatEarlierIntervalsSummed() {
    fx.sendWithoutFlush(event("req_1", "t", "code", GPT, usage(0, 0, 100, 0)));
    fx.flush();
    fx.sendWithoutFlush(event("req_2", "t", "code", GPT, usage(0, 0, 100, 0)));
    fx.sendWithoutFlush(event("req_3", "t", "code", GPT, usage(0, 0, 100, 0)));
    fx.flush();
    fx.flush();

    assertThat(fx.total("t", SpendDimension.MODE, "code").getRequests()).isEqualTo(3);
    assertThat(fx.total("t", SpendDimension.MODE, "code").getCostMicros()).isEqualTo(3_000);
    assertThat(fx.total("t", SpendDimension.SESSION, "sess_1").getCostMicros()).isEqualTo(3_000);
  }

  /**
   * Records per usage: the pending state is one changelog record per usage (not one per dimension
   * and a tombstone per sum), and one per forward.
   */
  @Test
  void writesOnePendingRecordPerUsageAndOnePerInterval() {
    final TestOutputTopic<String, byte[]> changelog = fx.driver.createOutputTopic(
        AccountingConfig.DEFAULT_APP_ID + "-" + AccountingTopology.SPEND_PENDING_STORE
            + "-changelog", new StringDeserializer(), new ByteArrayDeserializer());
    fx.sendWithoutFlush(event("req_1", "t", "plan", GPT, usage(0, 0, 100, 0)));
    fx.sendWithoutFlush(event("req_2", "t", "code", MINI, usage(0, 0, 100, 0)));
    fx.sendWithoutFlush(event("req_3", "u", "plan", GPT, usage(0, 0, 100, 0)));
    fx.flush();

    assertThat(changelog.readKeyValuesToList()).extracting(record -> record.key)
        .containsExactly("#0", "#1", "#2", PendingSpend.GENERATION_KEY);
    assertThat(fx.total("t", SpendDimension.MODE, "code").getRequests()).isEqualTo(1);
  }

  @Test
  void serdeRoundTripsEveryFieldAndEscapedValues() {
    final SpendDelta delta = new SpendDelta("tenant|ü", SpendDimension.PARENT_SESSION,
        "task|%1 ✓", 1_750_000_000_000L, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);

    final SpendDelta back = SpendDeltaSerde.read(SpendDeltaSerde.write(delta));

    assertThat(back).isEqualTo(delta);
    assertThat(back.plus(delta).costMicros()).isEqualTo(12);
    assertThat(back.plus(delta).timestamp()).isEqualTo(1_750_000_000_000L);
    assertThat(back.plus(delta).duplicateCostMicros()).isEqualTo(22);
  }

  @Test
  void serdeReadsPendingSumsWrittenBeforeTheDuplicateFigures() {
    final byte[] tenant = "t".getBytes(StandardCharsets.UTF_8);
    final byte[] dimension = "mode".getBytes(StandardCharsets.UTF_8);
    final byte[] value = "plan".getBytes(StandardCharsets.UTF_8);
    final ByteBuffer v1 = ByteBuffer.allocate(1 + 12 + 1 + 4 + 4 + 10 * Long.BYTES);
    v1.put((byte) 1);
    v1.putInt(tenant.length).put(tenant);
    v1.putInt(dimension.length).put(dimension);
    v1.putInt(value.length).put(value);
    for (long i = 1; i <= 10; i++) {
      v1.putLong(i);
    }

    final SpendDelta back = SpendDeltaSerde.read(v1.array());

    assertThat(back).isEqualTo(new SpendDelta("t", SpendDimension.MODE, "plan",
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0));
  }
}
