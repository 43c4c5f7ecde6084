package dev.tiergate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.batch.BatchClient;
import dev.tiergate.launcher.batch.BatchDefaults;
import dev.tiergate.launcher.batch.BatchInput;
import dev.tiergate.launcher.batch.BatchLineParser;
import dev.tiergate.runtime.BatchIds;
import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The bulk benchmark over the batch-file path: the requests written as OpenAI Batch API input
 * files, one per job, and each file parsed, published and followed to its end by the launcher's own
 * batch classes as {@code tiergate batch submit FILE --wait} does, every job at once. Results are
 * read off the responses topic as they land (committed only, as {@code tiergate batch results}
 * reads them), and read again after the run to check that every item has exactly one successful
 * result.
 */
final class BatchBulk {

  /**
   * What every item gets besides its body: the demo tenant and the {@code code} mode, which routes
   * {@code auto/balanced} to the simulator's {@code openai/gpt-5-mini} as the HTTP run does.
   */
  static final BatchDefaults DEFAULTS =
      new BatchDefaults(BatchDefaults.DEFAULT_TENANT, "code", Tier.BALANCED, null);

  private static final Duration AUDIT_TIMEOUT = Duration.ofMinutes(5);
  /** How long results may still be read after every job's progress said finished (or timed out). */
  private static final Duration RESULTS_AFTER_PROGRESS = Duration.ofSeconds(60);

  private final KafkaSettings kafka;
  private final int requests;
  private final int jobs;
  private final Duration timeout;

  BatchBulk(final KafkaSettings kafka, final int requests, final int jobs, final Duration timeout) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (jobs < 1 || jobs > requests) {
      throw new IllegalArgumentException("jobs must be between 1 and the number of requests");
    }
    this.requests = requests;
    this.jobs = jobs;
  }

  /** One job's submission, as {@code submit --wait} ends it. */
  private record Submitted(String batchId, long parsedNanos, long publishedNanos,
      long finishedNanos, Optional<BatchProgress> progress) {}

  /** Runs the jobs, writes the figures and the check; 0 when every item had one successful result. */
  int run(final Report report) throws InterruptedException, ExecutionException {
    final List<byte[]> files =
        IntStream.range(0, jobs).mapToObj(job -> file(requests, jobs, job)).toList();
    final Map<String, List<String>> expected = new LinkedHashMap<>();
    for (int job = 0; job < jobs; job++) {
      expected.put(BatchIds.batchIdForContent(files.get(job)), customIds(requests, jobs, job));
    }
    final BatchTally live = new BatchTally(expected);
    final BatchClient client = new BatchClient(kafka);
    final AtomicInteger threads = new AtomicInteger();
    final ExecutorService submitters = Executors.newFixedThreadPool(
        jobs, task -> new Thread(task, "bench-batch-submit-" + threads.incrementAndGet()));
    final List<Submitted> submitted = new ArrayList<>();
    final long start;
    final boolean complete;
    try (PartitionTail<ChatResponse> results = PartitionTail
        .builder(consumer(), Topics.RESPONSES.name(), PartitionTail.Start.end())
        .threadName("bench-batch-results")
        .onRecord(record -> count(live, record.value()))
        .build()) {
      results.start();
      start = System.nanoTime();
      final Instant deadline = Instant.now().plus(timeout);
      final List<Future<Submitted>> jobsRunning = new ArrayList<>();
      for (final byte[] file : files) {
        final String source = "bulk-" + (jobsRunning.size() + 1) + ".jsonl";
        jobsRunning.add(submitters.submit(() -> submit(client, file, source, deadline)));
      }
      for (final Future<Submitted> job : jobsRunning) {
        submitted.add(job.get());
      }
      // Progress is counted from the committed results, so they are all readable by now.
      complete = live.awaitComplete(RESULTS_AFTER_PROGRESS);
    } finally {
      submitters.shutdownNow();
    }
    report.line(figures(live, submitted, start));
    return check(report, live, complete, expected);
  }

  /** Parses, publishes and follows one file with the classes {@code tiergate batch submit} uses. */
  private static Submitted submit(
      final BatchClient client, final byte[] file, final String source, final Instant deadline) {
    final BatchInput input = BatchInput.parse(
        file, null, DEFAULTS, new BatchLineParser(new ObjectMapper(), Clock.systemUTC()));
    final long parsed = System.nanoTime();
    if (!input.skipped().isEmpty()) {
      throw new IllegalStateException(source + ": lines skipped: " + input.skipped());
    }
    if (client.manifest(input.batchId()).isPresent()) {
      throw new IllegalStateException("batch " + input.batchId() + " was submitted before");
    }
    final long total = input.items().size();
    client.publish(input.manifest(DEFAULTS, source, Instant.now()), input.items(), produced -> { });
    final long published = System.nanoTime();
    final Optional<BatchProgress> last =
        client.follow(input.batchId(), total, deadline, progress -> { });
    final boolean finished = last.isPresent() && BatchClient.finished(last.get(), total);
    return new Submitted(
        input.batchId(), parsed, published, finished ? System.nanoTime() : -1, last);
  }

  private String figures(final BatchTally live, final List<Submitted> submitted, final long start) {
    final long lastParsed = submitted.stream().mapToLong(Submitted::parsedNanos).max().orElseThrow();
    final long lastPublished =
        submitted.stream().mapToLong(Submitted::publishedNanos).max().orElseThrow();
    final boolean allFinished = submitted.stream().allMatch(job -> job.finishedNanos() >= 0);
    final long lastFinished =
        submitted.stream().mapToLong(Submitted::finishedNanos).max().orElseThrow();
    final long done = submitted.stream()
        .mapToLong(job -> job.progress().map(BatchProgress::getDone).orElse(0L)).sum();
    final long failed = submitted.stream()
        .mapToLong(job -> job.progress().map(BatchProgress::getFailed).orElse(0L)).sum();
    final BatchTally.Counts counts = live.counts();
    final String end = counts.completeNanos() >= 0
        ? String.format(Locale.ROOT, "every item had a result after **%.1f s**: **%.0f req/s**",
            seconds(start, counts.completeNanos()), requests / seconds(start, counts.completeNanos()))
        : String.format(Locale.ROOT, "only %d of %d items had a result after %s",
            counts.answered(), counts.expected(), timeout);
    return String.format(Locale.ROOT,
        "%d requests as %d batch job(s) through the embedded stack (`tiergate batch submit`'s "
            + "parse, publish and follow): %s (goal: 100,000 in ≤ 60 s); first result after "
            + "%s; every file parsed after %.1f s, every item published after %.1f s; progress "
            + "said finished %s "
            + "(done %d, failed %d).",
        requests, jobs, end,
        counts.firstNanos() < 0 ? "none" : String.format(Locale.ROOT, "%.2f s",
            seconds(start, counts.firstNanos())),
        seconds(start, lastParsed), seconds(start, lastPublished),
        allFinished ? String.format(Locale.ROOT, "after %.1f s", seconds(start, lastFinished))
            : "for only some jobs by the timeout",
        done, failed);
  }

  /** Reads the responses topic again, from the beginning, and reports what is not exactly once. */
  private int check(final Report report, final BatchTally live, final boolean complete,
      final Map<String, List<String>> expected) {
    final BatchTally audit = new BatchTally(expected);
    try (KafkaConsumer<String, ChatResponse> consumer = consumer()) {
      PartitionTail.readToEnd(consumer, Topics.RESPONSES.name(), AUDIT_TIMEOUT,
          record -> count(audit, record.value()));
    }
    final List<String> problems = audit.problems();
    final BatchTally.Counts read = audit.counts();
    final BatchTally.Counts running = live.counts();
    if (problems.isEmpty() && complete) {
      report.line(String.format(Locale.ROOT,
          "Check (the responses topic read again after the run): %d results for %d items, each "
              + "exactly once and successful.", read.records(), read.expected()));
      return 0;
    }
    report.line(String.format(Locale.ROOT,
        "**Check failed** (the responses topic read again after the run: %d results for %d items; "
            + "while running: %d results, %d items answered): %s.",
        read.records(), read.expected(), running.records(), running.answered(),
        problems.isEmpty() ? "complete only after the timeout" : String.join("; ", problems)));
    return 1;
  }

  private static void count(final BatchTally tally, final ChatResponse response) {
    if (response != null) {
      tally.record(response.getBatchId(), response.getBatchItemId(), response.getError() == null,
          System.nanoTime());
    }
  }

  private KafkaConsumer<String, ChatResponse> consumer() {
    return new KafkaConsumer<>(PartitionTail.consumerProperties(kafka, Map.of(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000)),
        new StringDeserializer(),
        Topics.RESPONSES.valueSerde(kafka.serdes()).deserializer());
  }

  /** Job {@code job}'s input file: its share of the requests as Batch API lines, bodies as over HTTP. */
  static byte[] file(final int requests, final int jobs, final int job) {
    final StringBuilder lines = new StringBuilder();
    for (int i = first(requests, jobs, job); i < first(requests, jobs, job + 1); i++) {
      lines.append("{\"custom_id\":\"").append(customId(i))
          .append("\",\"method\":\"POST\",\"url\":\"").append(BatchLineParser.CHAT_COMPLETIONS_URL)
          .append("\",\"body\":").append(RequestBodies.chat("auto/balanced", i)).append("}\n");
    }
    return lines.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The custom ids of job {@code job}'s items. */
  static List<String> customIds(final int requests, final int jobs, final int job) {
    return IntStream.range(first(requests, jobs, job), first(requests, jobs, job + 1))
        .mapToObj(BatchBulk::customId).toList();
  }

  /** The first request of job {@code job}; jobs differ in size by one at most. */
  private static int first(final int requests, final int jobs, final int job) {
    return (int) ((long) requests * job / jobs);
  }

  private static String customId(final int request) {
    return "req-" + request;
  }

  private static double seconds(final long start, final long end) {
    return (end - start) / 1e9;
  }
}
