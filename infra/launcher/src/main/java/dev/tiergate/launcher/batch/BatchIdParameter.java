package dev.tiergate.launcher.batch;

import dev.tiergate.runtime.BatchIds;
import picocli.CommandLine.Parameters;

/** {@code ID}: the batch a command reads back (status, results), as submit printed it. */
final class BatchIdParameter {

  @Parameters(index = "0", paramLabel = "ID", description = "The batch id (printed by submit).")
  String given;

  /** The id as the batch's records carry it: with the {@code batch_} prefix added if left out. */
  String id() {
    return BatchIds.normaliseBatchId(given);
  }
}
