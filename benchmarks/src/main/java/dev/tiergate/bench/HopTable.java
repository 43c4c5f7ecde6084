package dev.tiergate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * A Markdown table of where a request's time goes, one row a hop in the order they are given: how
 * many spans the hop counted and their p50, p90, p99 and max in milliseconds.
 */
final class HopTable {

  /** The unit spans are recorded in, and how precisely the table shows them in milliseconds. */
  enum Unit {
    /** Whole milliseconds, shown as they are. */
    MILLIS(1, 0),
    /** Microseconds, shown in milliseconds to a tenth. */
    MICROS(1_000, 1);

    private final double perMilli;
    private final String format;

    Unit(final int perMilli, final int decimals) {
      this.perMilli = perMilli;
      this.format = "%." + decimals + "f";
    }

    private String millis(final long value) {
      return String.format(Locale.ROOT, format, value / perMilli);
    }
  }

  /**
   * One hop's spans, in one unit. A negative span (clocks read on different threads, ms-rounded
   * timestamps) counts as 0, and one above the highest as the highest.
   */
  static final class Spans {
    private final long highest;
    private final Histogram histogram;

    Spans(final long highest) {
      this.highest = highest;
      this.histogram = new Histogram(highest, 3);
    }

    void record(final long span) {
      histogram.recordValue(Math.max(0, Math.min(highest, span)));
    }
  }

  private final Unit unit;
  private final List<String> lines = new ArrayList<>();

  /**
   * @param hopColumn the first column's header (what the hops are of)
   * @param countColumn the count column's header (what a span is of: a request, a stream)
   * @param unit the unit of the spans of every row
   */
  HopTable(final String hopColumn, final String countColumn, final Unit unit) {
    this.unit = Objects.requireNonNull(unit, "unit");
    lines.add("| " + hopColumn + " | " + countColumn + " | p50 ms | p90 ms | p99 ms | max ms |");
    lines.add("|---|---:|---:|---:|---:|---:|");
  }

  /** Adds a hop's row below the ones before. */
  HopTable row(final String label, final Spans spans) {
    final Histogram h = spans.histogram;
    lines.add(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |", label,
        h.getTotalCount(), unit.millis(h.getValueAtPercentile(50)),
        unit.millis(h.getValueAtPercentile(90)), unit.millis(h.getValueAtPercentile(99)),
        unit.millis(h.getMaxValue())));
    return this;
  }

  /** The header, its separator and the rows. */
  List<String> markdown() {
    return List.copyOf(lines);
  }
}
