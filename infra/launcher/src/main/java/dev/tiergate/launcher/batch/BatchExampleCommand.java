package dev.tiergate.launcher.batch;

import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.runtime.BatchIds;
import dev.tiergate.schemas.KafkaSettings;
import java.io.PrintWriter;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tiergate batch example}: runs {@link ExampleBatchProducer}, the events-only way in. */
@Command(
    name = "example",
    mixinStandardHelpOptions = true,
    description = "Produce a small batch straight to Kafka as events (the example producer); prints its id.")
final class BatchExampleCommand extends ClusterCommand {

  @Option(names = "--items", description = "How many items (default: ${DEFAULT-VALUE}).")
  int items = 10;

  @Option(names = "--tenant", description = "Tenant the spend is booked to (default: ${DEFAULT-VALUE}).")
  String tenant = BatchDefaults.DEFAULT_TENANT;

  @Option(names = "--batch-id", description = "Batch id (default: a fresh one).")
  String batchId;

  @Mixin FollowOptions follow = new FollowOptions(600);

  @Override
  protected int run(final PrintWriter out, final PrintWriter err) {
    if (items < 1) {
      err.println("tiergate batch example: --items must be positive");
      return 1;
    }
    final String id = batchId != null
        ? BatchIds.normaliseBatchId(batchId)
        : BatchIds.BATCH_PREFIX + "example_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final KafkaSettings kafka = cluster.settings();
    new ExampleBatchProducer(kafka).produce(id, tenant, items);
    out.println(id);
    out.flush();
    return follow.follow(new BatchClient(kafka), id, items, err);
  }
}
