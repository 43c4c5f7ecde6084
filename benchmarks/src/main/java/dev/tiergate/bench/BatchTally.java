package dev.tiergate.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * The results of batch items as they are read: which expected items have one, which have more than
 * one, which failed, and when the first result and the last missing one arrived. Results of other
 * batches are ignored; a result of an expected batch for an item it does not have is a stray.
 */
final class BatchTally {

  /** How many ids a problem line names. */
  private static final int SAMPLE = 5;

  /** Results so far per expected item, keyed by batch id and custom id. */
  private final Map<Item, Integer> results = new HashMap<>();
  private final Set<String> batchIds;
  private final List<Item> strays = new ArrayList<>();
  private final List<Item> failures = new ArrayList<>();
  private long answered;
  private long records;
  private long firstNanos = -1;
  private long completeNanos = -1;

  private record Item(String batchId, String customId) {
    @Override
    public String toString() {
      return batchId + "/" + customId;
    }
  }

  /** @param expected the custom ids of every batch, by batch id */
  BatchTally(final Map<String, ? extends Collection<String>> expected) {
    Objects.requireNonNull(expected, "expected");
    batchIds = Set.copyOf(expected.keySet());
    expected.forEach((batchId, customIds) ->
        customIds.forEach(customId -> results.put(new Item(batchId, customId), 0)));
    if (results.isEmpty()) {
      throw new IllegalArgumentException("no items expected");
    }
  }

  /**
   * Counts one result read at {@code nanos} ({@link System#nanoTime}).
   *
   * @param batchId null for a response that is not a batch item's
   * @param ok whether the result is an answer without an error
   */
  synchronized void record(
      final String batchId, final String customId, final boolean ok, final long nanos) {
    if (batchId == null || !batchIds.contains(batchId)) {
      return;
    }
    final Item item = new Item(batchId, String.valueOf(customId));
    records++;
    if (firstNanos < 0) {
      firstNanos = nanos;
    }
    final Integer before = results.computeIfPresent(item, (key, count) -> count + 1);
    if (before == null) {
      strays.add(item);
      return;
    }
    if (!ok) {
      failures.add(item);
    }
    if (before == 1 && ++answered == results.size()) {
      completeNanos = nanos;
      notifyAll();
    }
  }

  /** Waits until every expected item has a result; false when the timeout passed first. */
  synchronized boolean awaitComplete(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (!complete()) {
      final long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  synchronized boolean complete() {
    return completeNanos >= 0;
  }

  /**
   * The counts at one moment, read together.
   *
   * @param expected items expected
   * @param answered expected items with at least one result
   * @param records results of the expected batches read, repeats and strays included
   * @param firstNanos when the first result of an expected batch was read; -1 before
   * @param completeNanos when the last expected item got its first result; -1 before
   */
  record Counts(long expected, long answered, long records, long firstNanos, long completeNanos) {}

  synchronized Counts counts() {
    return new Counts(results.size(), answered, records, firstNanos, completeNanos);
  }

  /**
   * What is wrong with the results: items without one, items with more than one, failed results,
   * strays; each with up to five ids. Empty when every item has exactly one successful result.
   */
  synchronized List<String> problems() {
    final List<String> problems = new ArrayList<>();
    describe(problems, "without a result", matching(count -> count == 0));
    describe(problems, "with more than one result", matching(count -> count > 1));
    describe(problems, "failed results", new TreeSet<>(failures.stream().map(Item::toString).toList()));
    describe(problems, "results for items the batch does not have",
        new TreeSet<>(strays.stream().map(Item::toString).toList()));
    return problems;
  }

  private TreeSet<String> matching(final IntPredicate count) {
    final TreeSet<String> ids = new TreeSet<>();
    results.forEach((item, n) -> {
      if (count.test(n)) {
        ids.add(item.toString());
      }
    });
    return ids;
  }

  private static void describe(
      final List<String> problems, final String what, final TreeSet<String> ids) {
    if (!ids.isEmpty()) {
      problems.add(ids.size() + " " + what + " (e.g. "
          + String.join(", ", ids.stream().limit(SAMPLE).toList()) + ")");
    }
  }
}
