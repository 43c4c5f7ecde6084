package dev.tiergate.accounting;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Puts every aggregate of one tenant on one partition, chosen from the tenant part of the key alone
 * (the value is not needed, so interactive queries find the owner with the same partitioner). A
 * tenant's whole spend report is then one store read on one instance. The cost is that one very
 * large tenant cannot be spread over several instances; the usage topic itself stays spread by
 * correlation id, so only the summing is per tenant.
 */
public final class TenantPartitioner<V> implements StreamPartitioner<String, V> {

  @Override
  public Optional<Set<Integer>> partitions(
      final String topic, final String key, final V value, final int numPartitions) {
    return Optional.of(Set.of(partition(key, numPartitions)));
  }

  /** Kafka's own murmur2 choice over the escaped tenant. */
  static int partition(final String key, final int numPartitions) {
    final byte[] tenant = SpendKey.tenantPart(key).getBytes(StandardCharsets.UTF_8);
    return Utils.toPositive(Utils.murmur2(tenant)) % numPartitions;
  }
}
