package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BulkCommandTest {

  @Test
  void sendsOverHttpUnlessToldToGoThroughBatchJobs() {
    final BulkCommand http = parse();
    assertThat(http.via).isEqualTo(BulkCommand.Via.HTTP);
    assertThat(http.command()).isEqualTo("benchmarks/run.sh bulk --requests 100000 --concurrency 256");

    final BulkCommand batch = parse("--via", "BATCH", "--requests", "10000", "--jobs", "4",
        "--timeout", "PT5M", "--service-env", "TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT=64");
    assertThat(batch.via).isEqualTo(BulkCommand.Via.BATCH);
    assertThat(batch.timeout).isEqualTo(Duration.ofMinutes(5));
    assertThat(batch.command()).isEqualTo("benchmarks/run.sh bulk --requests 10000 --via BATCH "
        + "--jobs 4 --service-env {TIERGATE_DISPATCHER_MAX_BATCH_IN_FLIGHT=64}");
  }

  @Test
  void rejectsJobsOverHttpAndMoreJobsThanRequests() {
    assertThatThrownBy(() -> parse("--jobs", "2"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--via BATCH");
    assertThatThrownBy(() -> parse("--via", "BATCH", "--requests", "3", "--jobs", "4"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("between 1 and");
    assertThatThrownBy(() -> parse("--via", "BATCH", "--requests", "0"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--requests");
  }

  private static BulkCommand parse(final String... args) {
    final BulkCommand command = new BulkCommand();
    new CommandLine(command).parseArgs(args);
    command.validate();
    return command;
  }
}
