package dev.tiergate.launcher.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.launcher.batch.BatchInput.SkippedLine;
import dev.tiergate.runtime.BatchIds;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.tracing.Tracing;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;


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
final class BatchSubmitCommand extends ClusterCommand {

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

  @Mixin FollowOptions follow = new FollowOptions();

  @Override
  protected int run(final PrintWriter out, final PrintWriter err) throws IOException {
    // Each item's trace starts at its send, when OTEL_TRACES_EXPORTER asks for traces.
    Tracing.fromEnvironment(BatchClient.TRACER);
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
    final BatchClient client = new BatchClient(cluster.settings());
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
    out.println(input.batchId());
    out.flush();
    return follow.follow(client, input.batchId(), total(input, existing), err);
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
    client.publish(
        input.manifest(defaults, file.getFileName().toString(), Instant.now()), input.items(),
        produced -> bar.show("submitting", produced, total, ""));
    bar.finish();
    err.printf("submitted batch %s: %d items%n", input.batchId(), total);
  }

  private static long total(final BatchInput input, final Optional<BatchManifest> existing) {
    return existing.filter(BatchManifest::getItemsComplete)
        .map(BatchManifest::getTotal)
        .orElse((long) input.items().size());
  }

  private static Tier parseTier(final String id) {
    return Tier.parse(id)
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown tier '" + id + "'; use frontier, balanced, free or small"));
  }
}
