package dev.tiergate.router;

import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.Topics;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What crosses the router's repartition by tenant, so one task sees every reservation and every
 * usage of a tenant in order: a routed request asking to reserve its bound, or the sighting of a
 * request's usage on {@code tiergate.usage}.
 */
sealed interface ReservationEvent {

  /** Reserve {@code decision.reservedMicros} for this routed request, or refuse it. */
  record Reserve(RoutedRequest routed) implements ReservationEvent {
    public Reserve {
      Objects.requireNonNull(routed, "routed");
    }
  }

  /** The request's usage is at {@code partition}/{@code offset} of {@code tiergate.usage}. */
  record UsageSeen(String correlationId, int partition, long offset) implements ReservationEvent {
    public UsageSeen {
      Objects.requireNonNull(correlationId, "correlationId");
    }
  }

  byte RESERVE = 1;
  byte USAGE_SEEN = 2;

  /**
   * One tag byte, then the routed request in the topic's own wire format (written under {@code
   * tiergate.routed}'s subject, so no new schema is registered) or the usage's position.
   */
  static Serde<ReservationEvent> serde(final Serde<RoutedRequest> routed) {
    Objects.requireNonNull(routed, "routed");
    final Serializer<RoutedRequest> routedWriter = routed.serializer();
    final Deserializer<RoutedRequest> routedReader = routed.deserializer();
    final Serializer<ReservationEvent> serializer = (topic, event) -> {
      if (event == null) {
        return null;
      }
      if (event instanceof Reserve reserve) {
        final byte[] body = routedWriter.serialize(Topics.ROUTED.name(), reserve.routed());
        final byte[] tagged = new byte[body.length + 1];
        tagged[0] = RESERVE;
        System.arraycopy(body, 0, tagged, 1, body.length);
        return tagged;
      }
      return usageSeen((UsageSeen) event);
    };
    final Deserializer<ReservationEvent> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length > 0 && bytes[0] == RESERVE) {
        return new Reserve(routedReader.deserialize(
            Topics.ROUTED.name(), Arrays.copyOfRange(bytes, 1, bytes.length)));
      }
      return usageSeen(bytes);
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static byte[] usageSeen(final UsageSeen seen) {
    return StoreBytes.write(64, out -> {
      out.writeByte(USAGE_SEEN);
      out.writeUTF(seen.correlationId());
      out.writeInt(seen.partition());
      out.writeLong(seen.offset());
    });
  }

  private static UsageSeen usageSeen(final byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readByte() != USAGE_SEEN) {
        throw new IllegalArgumentException("not a reservation event");
      }
      return new UsageSeen(in.readUTF(), in.readInt(), in.readLong());
    } catch (IOException e) {
      throw new IllegalArgumentException("not a reservation event", e);
    }
  }
}
