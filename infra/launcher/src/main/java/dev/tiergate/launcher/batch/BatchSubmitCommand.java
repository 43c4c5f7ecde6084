package dev.tiergate.launcher.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.ClusterOptions;
import dev.tiergate.launcher.batch.BatchInput.SkippedLine;
import dev.tiergate.runtime.BatchIds;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.tracing.Tracing;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tiergate batch submit FILE.jsonl}: parses the file (malformed lines are reported by number
 * and skipped), publishes the manifest and the items, prints the batch id on stdout, and with
 * {@code --wait} follows the batch to the end. The same file submitted again is recognised by its
 * content and not run twice.
 */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = "Submit an OpenAI Batch API input file (JSONL); prints the batch id.")
final class BatchSubmitCommand implements Callable<Integer> {

  static final int EXIT_TIMED_OUT = 2;
  /** How many skipped line numbers the manifest keeps. */
  private static final int MAX_SKIPPED_IN_MANIFEST = 1_000;

  @Spec CommandSpec spec;
  @Mixin ClusterOptions cluster;

  @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "OpenAI Batch API input lines.")
  Path file;

  @Option(names = "--mode", description = "Default mode of every item (plan, code, debug, background...).")
  String mode;

  @Option(names = "--tier", description = "Default tier: frontier, balanced, free or small (default: ${DEFAULT-VALUE}).")
  String tier = Tier.BALANCED.id();

  @Option(names = "--feature", description = "Default feature the spend is booked to.")
  String feature;

  @Option(names = "--tenant", description = "Tenant the spend is booked to (default: ${DEFAULT-VALUE}).")
  String tenant = BatchDefaults.DEFAULT_TENANT;

  @Option(names = "--batch-id", description = "Batch id to use instead of one derived from the file's content.")
  String batchId;

  @Option(names = "--force", description = "Run the file again under a new batch id even if it was submitted before.")
  boolean force;

  @Option(names = "--wait", description = "Follow the batch until every item is answered.")
  boolean await;

  @Option(names = "--timeout-seconds", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds = 3_600;

  @Override
  public Integer call() throws Exception {
    // Each item's trace starts at its send, when OTEL_TRACES_EXPORTER asks for traces.
    Tracing.fromEnvironment(BatchClient.TRACER);
    final PrintWriter err = spec.commandLine().getErr();
    // A wrong tier or tenant is a usage error: one line and exit code 2 (CliErrors).
    final BatchDefaults defaults = new BatchDefaults(tenant, mode, parseTier(tier), feature);
    final byte[] content = Files.readAllBytes(file);
    final BatchInput input =
        BatchInput.parse(content, chosenBatchId(content), defaults,
            new BatchLineParser(new ObjectMapper(), Clock.systemUTC()));
    report(input, err);
    if (input.items().isEmpty()) {
      err.println("tiergate batch submit: no valid lines in " + file.getFileName() + "; nothing submitted");
      return 1;
    }
    final KafkaSettings kafka = cluster.settings();
    final BatchClient client = new BatchClient(kafka, kafka.serdes());
    final Optional<BatchManifest> existing = client.manifest(input.batchId());
    if (existing.isPresent() && existing.get().getItemsComplete()) {
      err.printf("batch %s was already submitted (%d items at %s); not running it again. "
              + "Use --force to run the file again under a new id.%n",
          input.batchId(), existing.get().getTotal(), existing.get().getSubmittedAt());
    } else {
      if (existing.isPresent()) {
        err.printf("batch %s was interrupted while submitting; resuming it (items already handled "
            + "are not run again)%n", input.batchId());
      }
      publish(client, input, defaults, err);
    }
    spec.commandLine().getOut().println(input.batchId());
    spec.commandLine().getOut().flush();
    return await ? follow(client, input.batchId(), total(input, existing), err) : 0;
  }

  private String chosenBatchId(final byte[] content) {
    if (batchId != null) {
      return BatchIds.normaliseBatchId(batchId);
    }
    final String derived = BatchIds.batchIdForContent(content);
    return force ? derived + "_" + UUID.randomUUID().toString().substring(0, 8) : derived;
  }

  private static void report(final BatchInput input, final PrintWriter err) {
    for (final SkippedLine skipped : input.skipped()) {
      err.printf("line %d skipped: %s%n", skipped.lineNumber(), skipped.reason());
    }
    err.printf("%d items parsed, %d malformed lines skipped%n",
        input.items().size(), input.skipped().size());
  }

  private void publish(
      final BatchClient client, final BatchInput input, final BatchDefaults defaults,
      final PrintWriter err) {
    final long total = input.items().size();
    final ProgressBar bar = new ProgressBar(err, System.console() != null);
    client.publish(manifest(input, defaults), input.items(),
        produced -> bar.show("submitting", produced, total, ""));
    bar.finish();
    err.printf("submitted batch %s: %d items%n", input.batchId(), total);
  }

  private BatchManifest manifest(final BatchInput input, final BatchDefaults defaults) {
    return BatchManifest.newBuilder()
        .setBatchId(input.batchId())
        .setTenant(defaults.tenant())
        .setTotal(input.items().size())
        .setSkippedLines(input.skipped().size())
        .setSkippedLineNumbers(
            input.skipped().stream()
                .limit(MAX_SKIPPED_IN_MANIFEST)
                .map(SkippedLine::lineNumber)
                .toList())
        .setMode(defaults.mode())
        .setTier(defaults.tier().id())
        .setFeature(defaults.feature())
        .setSource(file.getFileName().toString())
        .setContentHash(input.contentHash())
        .setSubmittedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
        .build();
  }

  private static long total(final BatchInput input, final Optional<BatchManifest> existing) {
    return existing.filter(BatchManifest::getItemsComplete)
        .map(BatchManifest::getTotal)
        .orElse((long) input.items().size());
  }

  private int follow(
      final BatchClient client, final String id, final long total, final PrintWriter err) {
    final boolean finished = BatchFollower.follow(client, id, total, Duration.ofSeconds(timeoutSeconds), err);
    return finished ? 0 : EXIT_TIMED_OUT;
  }

  private static Tier parseTier(final String id) {
    return Tier.parse(id)
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown tier '" + id + "'; use frontier, balanced, free or small"));
  }
}
