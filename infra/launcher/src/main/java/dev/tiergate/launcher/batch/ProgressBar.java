package dev.tiergate.launcher.batch;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;

/**
 * A text progress bar on stderr (stdout stays clean for results). On a terminal it redraws one line;
 * piped into a file or CI log it prints a line at every tenth instead, so logs stay short.
 */
final class ProgressBar {

  private static final int WIDTH = 30;
  private static final int STEPS = 10;

  private final PrintWriter out;
  private final boolean redraw;
  private int lastStep = -1;
  private boolean open;

  ProgressBar(final PrintWriter out, final boolean redraw) {
    this.out = Objects.requireNonNull(out, "out");
    this.redraw = redraw;
  }

  /** Draws the state; cheap to call often. */
  void show(final String label, final long count, final long total, final String suffix) {
    final long bounded = Math.min(count, Math.max(total, 0));
    final int step = total <= 0 ? 0 : (int) (bounded * STEPS / total);
    if (!redraw && step == lastStep) {
      return;
    }
    lastStep = step;
    final String line = render(label, bounded, total, suffix);
    if (redraw) {
      out.print("\r" + line);
      open = true;
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the bar's line (on a terminal the cursor still sits at its end). */
  void finish() {
    if (open) {
      out.println();
      open = false;
    }
    lastStep = -1;
  }

  static String render(final String label, final long count, final long total, final String suffix) {
    final int filled = total <= 0 ? 0 : (int) (count * WIDTH / total);
    final int percent = total <= 0 ? 0 : (int) (count * 100 / total);
    return String.format(
        Locale.ROOT, "%-10s [%s%s] %3d%% %d/%d%s",
        label, "#".repeat(filled), "-".repeat(WIDTH - filled), percent, count, total,
        suffix.isEmpty() ? "" : "  " + suffix);
  }

  /** Micro-dollars as dollars with all six decimals, e.g. {@code $0.012345}. */
  static String dollars(final long micros) {
    return "$" + BigDecimal.valueOf(micros, 6).toPlainString();
  }
}
