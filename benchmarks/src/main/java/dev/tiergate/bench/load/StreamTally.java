package dev.tiergate.bench.load;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The bookkeeping of one phase of streamed requests: a stream that ended with HTTP 200 and a
 * complete timeline adds its time to first content, each of its gaps and its length to the
 * histograms; any other counts as failed and adds nothing. Safe to feed from many event loops.
 */
final class StreamTally {

  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final OpenLoop.Tally outcomes;
  private final Recorder firstContent = new Recorder(HIGHEST_MICROS, 3);
  private final Recorder gaps = new Recorder(HIGHEST_MICROS, 3);
  private final Recorder streams = new Recorder(HIGHEST_MICROS, 3);
  private final AtomicLong contentEvents = new AtomicLong();

  StreamTally(final long requests) {
    this.outcomes = new OpenLoop.Tally(requests);
  }

  /** Records one stream's end: its status (null when {@code error} is set) and timeline. */
  void record(final Integer status, final Throwable error, final StreamTimeline timeline) {
    Objects.requireNonNull(timeline, "timeline");
    if (error != null) {
      outcomes.failed(error);
    } else if (status == null || status != 200) {
      outcomes.failed(new IllegalStateException("HTTP " + status));
    } else if (!timeline.complete()) {
      outcomes.failed(new IllegalStateException(
          "stream not complete: " + timeline.problem().orElseThrow()));
    } else {
      firstContent.recordValue(micros(timeline.firstContentNanos()));
      for (final long gap : timeline.gapNanos()) {
        gaps.recordValue(micros(gap));
      }
      streams.recordValue(micros(timeline.doneNanos()));
      contentEvents.addAndGet(timeline.contentEvents());
      outcomes.succeeded();
    }
  }

  /** Waits for the streams still open, at most {@code timeout}; the rest count as failed. */
  void drain(final Duration timeout) {
    outcomes.drain(timeout);
  }

  StreamResult result(
      final String label, final int rate, final long sent, final long sendNanos) {
    return new StreamResult(OpenLoopRun.of(label, rate, sent, sendNanos, outcomes),
        firstContent.getIntervalHistogram(), gaps.getIntervalHistogram(),
        streams.getIntervalHistogram(), contentEvents.get());
  }

  private static long micros(final long nanos) {
    return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
  }
}
