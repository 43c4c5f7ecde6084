package dev.tiergate.dispatcher;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How the dispatcher writes outcomes exactly once and hands partitions over.
 *
 * @param instanceId this instance's stable name, part of its {@code transactional.id} ({@code
 *     <group>-<instanceId>}): a restarted instance with the same name fences its predecessor and
 *     aborts the transaction it left open at once. Give each replica its own (a StatefulSet pod
 *     name); two live instances must never share one. Without one, each start picks a random name,
 *     and a transaction left open by a crash is aborted by the broker after {@code
 *     transactionTimeout}
 * @param transactionTimeout the broker aborts a transaction open longer than this (a crashed
 *     instance's); read_committed readers of the partitions it wrote wait until then
 * @param revokeTimeout how long a revoked partition's requests in flight may take to finish before
 *     the partition is let go
 * @param fault a test-only fault to inject, {@link DispatcherFault#NONE} normally
 */
public record DeliverySettings(
    String instanceId, Duration transactionTimeout, Duration revokeTimeout, DispatcherFault fault) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  public DeliverySettings {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(transactionTimeout, "transactionTimeout");
    Objects.requireNonNull(revokeTimeout, "revokeTimeout");
    Objects.requireNonNull(fault, "fault");
    if (!ID.matcher(instanceId).matches()) {
      throw new IllegalArgumentException(
          "instance id must be 1-100 letters, digits, '.', '_' or '-': " + instanceId);
    }
    if (transactionTimeout.toMillis() < 1_000) {
      throw new IllegalArgumentException("transaction timeout must be at least 1 s: " + transactionTimeout);
    }
  }

  /** The transactional id of an instance of the given group. */
  public String transactionalId(final String groupId) {
    return groupId + "-" + instanceId;
  }
}
