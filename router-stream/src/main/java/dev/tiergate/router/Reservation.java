package dev.tiergate.router;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * One request's hold on its tenant's REJECT budgets: the cost bound, the budgets still holding it
 * (a budget lets go once the request's usage is booked in the spend it publishes), where that usage
 * sits on {@code tiergate.usage} once the router has seen it, and when the hold ends regardless.
 * Lives only in the router's reservations store and its changelog, so its serde is a small
 * versioned binary format rather than a registry schema.
 *
 * @param usagePartition the usage's partition, or {@link #NO_USAGE} while none has been seen
 */
record Reservation(
    String correlationId,
    String tenant,
    long micros,
    Instant releaseAt,
    List<String> budgetIds,
    int usagePartition,
    long usageOffset) {

  static final int NO_USAGE = -1;
  private static final byte VERSION = 1;

  Reservation {
    Objects.requireNonNull(correlationId, "correlationId");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(releaseAt, "releaseAt");
    budgetIds = List.copyOf(budgetIds);
  }

  /** A new hold, before any usage. */
  static Reservation of(
      final String correlationId,
      final String tenant,
      final long micros,
      final Instant releaseAt,
      final List<String> budgetIds) {
    return new Reservation(correlationId, tenant, micros, releaseAt, budgetIds, NO_USAGE, -1);
  }

  boolean usageSeen() {
    return usagePartition != NO_USAGE;
  }

  Reservation withUsage(final int partition, final long offset) {
    return new Reservation(correlationId, tenant, micros, releaseAt, budgetIds, partition, offset);
  }

  Reservation withBudgets(final List<String> remaining) {
    return new Reservation(
        correlationId, tenant, micros, releaseAt, remaining, usagePartition, usageOffset);
  }

  /** The store's value serde. */
  static Serde<Reservation> serde() {
    return StoreBytes.nullSafe(Reservation::encode, Reservation::decode);
  }

  static byte[] encode(final Reservation value) {
    return StoreBytes.write(96, out -> {
      out.writeByte(VERSION);
      out.writeUTF(value.correlationId());
      out.writeUTF(value.tenant());
      out.writeLong(value.micros());
      out.writeLong(value.releaseAt().toEpochMilli());
      out.writeInt(value.usagePartition());
      out.writeLong(value.usageOffset());
      out.writeInt(value.budgetIds().size());
      for (final String id : value.budgetIds()) {
        out.writeUTF(id);
      }
    });
  }

  static Reservation decode(final byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readByte() != VERSION) {
        throw new IllegalArgumentException("not a v1 reservation record");
      }
      final String correlationId = in.readUTF();
      final String tenant = in.readUTF();
      final long micros = in.readLong();
      final Instant releaseAt = Instant.ofEpochMilli(in.readLong());
      final int partition = in.readInt();
      final long offset = in.readLong();
      final int count = in.readInt();
      final List<String> budgets = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        budgets.add(in.readUTF());
      }
      return new Reservation(correlationId, tenant, micros, releaseAt, budgets, partition, offset);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a v1 reservation record", e);
    }
  }
}
