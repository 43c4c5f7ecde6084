package dev.tiergate.accounting;

import java.util.Objects;
import java.util.OptionalInt;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Decides where a tenant's query is answered. A tenant's rows live on one partition (see {@link
 * TenantPartitioner}); Streams metadata names the instance that owns it. Unknown ownership (during
 * a rebalance, before the first assignment) is {@link Target#unavailable}, answered with 503.
 */
public interface QueryRouter {

  /** Where to answer: here (on a partition, or all local partitions when empty), elsewhere, or not now. */
  record Target(Kind kind, OptionalInt partition, HostInfo host, String reason) {

    /** Where a query goes. */
    public enum Kind { LOCAL, REMOTE, UNAVAILABLE }

    public static Target local(final OptionalInt partition) {
      return new Target(Kind.LOCAL, partition, null, null);
    }

    public static Target remote(final HostInfo host) {
      return new Target(Kind.REMOTE, OptionalInt.empty(), Objects.requireNonNull(host), null);
    }

    public static Target unavailable(final String reason) {
      return new Target(Kind.UNAVAILABLE, OptionalInt.empty(), null, reason);
    }
  }

  /** Where the rows of this tenant in this store are read. */
  Target route(String store, String tenant);

  /** Every query answered here over all local partitions: one instance, or a test. */
  static QueryRouter localOnly() {
    return (store, tenant) -> Target.local(OptionalInt.empty());
  }

  /** Routes by the Streams metadata of a running app whose HTTP API answers at {@code self}. */
  static QueryRouter of(final KafkaStreams streams, final HostInfo self) {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(self, "self");
    final TenantPartitioner<Object> partitioner = new TenantPartitioner<>();
    return (store, tenant) -> {
      if (streams.state() != KafkaStreams.State.RUNNING) {
        return Target.unavailable("accounting stream is " + streams.state());
      }
      final KeyQueryMetadata owner =
          streams.queryMetadataForKey(store, SpendKey.storePrefix(tenant, SpendDimension.MODE),
              partitioner);
      if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner)) {
        return Target.unavailable("owner of tenant " + tenant + " not known yet (rebalancing)");
      }
      return self.equals(owner.activeHost())
          ? Target.local(OptionalInt.of(owner.partition()))
          : Target.remote(owner.activeHost());
    };
  }
}
