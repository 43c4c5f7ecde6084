package dev.tiergate.launcher.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BatchIdParameterTest {

  @Test
  void statusAndResultsTakeTheIdWithOrWithoutItsPrefix() {
    final BatchStatusCommand status = new BatchStatusCommand();
    new CommandLine(status).parseArgs("abc123", "--json");
    final BatchResultsCommand results = new BatchResultsCommand();
    new CommandLine(results).parseArgs(" batch_abc123 ");

    assertThat(status.batch.id()).isEqualTo("batch_abc123");
    assertThat(results.batch.id()).isEqualTo("batch_abc123");
  }

  @Test
  void namesTheParameterIdInTheUsage() {
    assertThat(new CommandLine(new BatchResultsCommand()).getUsageMessage())
        .containsPattern("\\bID\\b")
        .contains("The batch id (printed by submit).");
  }
}
