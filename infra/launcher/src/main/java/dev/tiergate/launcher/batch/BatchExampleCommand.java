package dev.tiergate.launcher.batch;

import dev.tiergate.launcher.ClusterOptions;
import dev.tiergate.runtime.BatchIds;
import dev.tiergate.schemas.KafkaSettings;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tiergate batch example}: runs {@link ExampleBatchProducer}, the events-only way in. */
@Command(
    name = "example",
    mixinStandardHelpOptions = true,
    description = "Produce a small batch straight to Kafka as events (the example producer); prints its id.")
final class BatchExampleCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ClusterOptions cluster;

  @Option(names = "--items", description = "How many items (default: ${DEFAULT-VALUE}).")
  int items = 10;

  @Option(names = "--tenant", description = "Tenant the spend is booked to (default: ${DEFAULT-VALUE}).")
  String tenant = BatchDefaults.DEFAULT_TENANT;

  @Option(names = "--batch-id", description = "Batch id (default: a fresh one).")
  String batchId;

  @Option(names = "--wait", description = "Follow the batch until every item is answered.")
  boolean await;

  @Option(names = "--timeout-seconds", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds = 600;

  @Override
  public Integer call() {
    if (items < 1) {
      spec.commandLine().getErr().println("tiergate batch example: --items must be positive");
      return 1;
    }
    final String id = batchId != null
        ? BatchIds.normaliseBatchId(batchId)
        : BatchIds.BATCH_PREFIX + "example_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final KafkaSettings kafka = cluster.settings();
    new ExampleBatchProducer(kafka).produce(id, tenant, items);
    spec.commandLine().getOut().println(id);
    spec.commandLine().getOut().flush();
    if (!await) {
      return 0;
    }
    final boolean finished = BatchFollower.follow(new BatchClient(kafka, kafka.serdes()), id, items,
        Duration.ofSeconds(timeoutSeconds), spec.commandLine().getErr());
    return finished ? 0 : BatchSubmitCommand.EXIT_TIMED_OUT;
  }
}
