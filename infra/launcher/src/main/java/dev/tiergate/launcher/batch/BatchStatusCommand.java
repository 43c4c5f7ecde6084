package dev.tiergate.launcher.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.BatchProgress;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tiergate batch status ID}: the batch's manifest and progress, read from Kafka. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show a batch's progress: total, done, failed, cost so far.")
final class BatchStatusCommand extends ClusterCommand {

  static final int EXIT_UNKNOWN = 3;

  @Mixin BatchIdParameter batch;

  @Option(names = "--json", description = "Print one JSON object instead of a summary line.")
  boolean json;

  @Mixin FollowOptions follow = new FollowOptions();

  @Override
  protected int run(final PrintWriter out, final PrintWriter err) {
    final String id = batch.id();
    final BatchClient client = new BatchClient(cluster.settings());
    final Optional<BatchManifest> manifest = client.manifest(id);
    if (manifest.isEmpty() && client.progress(id).isEmpty()) {
      err.println("tiergate batch status: no batch " + id);
      return EXIT_UNKNOWN;
    }
    final int followed = follow.follow(client, id, manifest.map(BatchManifest::getTotal).orElse(0L), err);
    print(out, id, manifest, client.progress(id));
    return followed;
  }

  private void print(
      final PrintWriter out, final String id, final Optional<BatchManifest> manifest,
      final Optional<BatchProgress> progress) {
    final long total = Math.max(
        manifest.map(BatchManifest::getTotal).orElse(0L),
        progress.map(BatchProgress::getTotal).orElse(0L));
    final long done = progress.map(BatchProgress::getDone).orElse(0L);
    final long failed = progress.map(BatchProgress::getFailed).orElse(0L);
    final long cost = progress.map(BatchProgress::getCostMicros).orElse(0L);
    final String state = total > 0 && done + failed >= total ? "finished" : "running";
    if (json) {
      final ObjectNode node = new ObjectMapper().createObjectNode();
      node.put("batch_id", id);
      node.put("status", state);
      manifest.ifPresent(m -> node.put("tenant", m.getTenant()));
      node.put("total", total);
      node.put("done", done);
      node.put("failed", failed);
      node.put("cost_micros", cost);
      node.put("skipped_lines", manifest.map(BatchManifest::getSkippedLines).orElse(0L));
      manifest.ifPresent(m -> node.put("submitted_at", m.getSubmittedAt().toString()));
      out.println(node);
    } else {
      out.printf("%s  %s  total %d  done %d  failed %d  cost %s  skipped lines %d%n",
          id, state, total, done, failed, ProgressBar.dollars(cost),
          manifest.map(BatchManifest::getSkippedLines).orElse(0L));
    }
  }
}
