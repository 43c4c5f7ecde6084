package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HopTableTest {

  @Test
  void showsMillisecondSpansAsWholeMillisecondsInTheOrderOfTheRows() {
    final HopTable.Spans routed = new HopTable.Spans(1_000);
    final HopTable.Spans answered = new HopTable.Spans(1_000);
    answered.record(40);
    routed.record(5);
    routed.record(10);
    routed.record(12);
    routed.record(900);

    assertThat(new HopTable("hop", "requests", HopTable.Unit.MILLIS)
            .row("accepted → routed", routed)
            .row("routed → answered", answered)
            .markdown())
        .containsExactly(
            "| hop | requests | p50 ms | p90 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
            "| accepted → routed | 4 | 10 | 900 | 900 | 900 |",
            "| routed → answered | 1 | 40 | 40 | 40 | 40 |");
  }

  @Test
  void showsMicrosecondSpansInMillisecondsToATenth() {
    final HopTable.Spans spans = new HopTable.Spans(10_000);
    spans.record(56);
    spans.record(1_234);

    assertThat(new HopTable("hop of the first chunk", "streams", HopTable.Unit.MICROS)
            .row("produced → read", spans)
            .markdown())
        .containsExactly(
            "| hop of the first chunk | streams | p50 ms | p90 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
            "| produced → read | 2 | 0.1 | 1.2 | 1.2 | 1.2 |");
  }

  @Test
  void countsNegativeSpansAsZeroAndLongOnesAsTheHighest() {
    final HopTable.Spans spans = new HopTable.Spans(1_000);
    spans.record(-3);
    spans.record(5_000);

    assertThat(new HopTable("hop", "requests", HopTable.Unit.MILLIS)
            .row("clocks apart", spans)
            .markdown())
        .last()
        .isEqualTo("| clocks apart | 2 | 0 | 1000 | 1000 | 1000 |");
  }
}
