package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.TiergateHeaders;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLetterHeadersTest {

  @Test
  void writesTheSourceAsTopicPartitionAtOffset() {
    assertThat(DeadLetterHeaders.source("tiergate.usage", 3, 42)).isEqualTo("tiergate.usage-3@42");
    assertThat(DeadLetterHeaders.source(Optional.empty())).isEqualTo("unknown");
  }

  @Test
  void marksReplacingAnEarlierReasonAndSource() {
    final RecordHeaders headers = new RecordHeaders();
    DeadLetterHeaders.mark(headers, "first", "a-0@1");

    DeadLetterHeaders.mark(headers, "undecodable value", "tiergate.routed-0@7");

    assertThat(headers.headers(TiergateHeaders.DLQ_REASON)).hasSize(1);
    assertThat(TiergateHeaders.get(headers, TiergateHeaders.DLQ_REASON)).contains("undecodable value");
    assertThat(TiergateHeaders.get(headers, TiergateHeaders.DLQ_SOURCE)).contains("tiergate.routed-0@7");
  }

  @Test
  void describesAFailureWithEachOfItsCauses() {
    final Exception error = new IllegalStateException("decode failed",
        new IllegalArgumentException("bad schema id", new ArithmeticException("overflow")));

    assertThat(DeadLetterHeaders.describe(error)).isEqualTo(
        "java.lang.IllegalStateException: decode failed; caused by"
            + " java.lang.IllegalArgumentException: bad schema id; caused by"
            + " java.lang.ArithmeticException: overflow");
  }
}
