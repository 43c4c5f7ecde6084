package dev.tiergate.accounting;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The pre-sum store's value format: a version byte, three length-prefixed UTF-8 strings (tenant,
 * dimension label, value) and twelve longs. Only the pre-sum store and its changelog use it; the
 * topics others read stay Avro. Fixed and schema-free because it is on the per-event path. Version 1
 * (before the duplicate figures) is still read, so pending sums restored across an upgrade are kept.
 */
final class SpendDeltaSerde implements Serde<SpendDelta> {

  private static final byte VERSION = 2;
  private static final byte VERSION_WITHOUT_DUPLICATES = 1;
  private static final int LONGS = 12;

  @Override
  public Serializer<SpendDelta> serializer() {
    return (topic, delta) -> delta == null ? null : write(delta);
  }

  @Override
  public Deserializer<SpendDelta> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  static byte[] write(final SpendDelta delta) {
    final byte[] tenant = delta.tenant().getBytes(StandardCharsets.UTF_8);
    final byte[] dimension = delta.dimension().label().getBytes(StandardCharsets.UTF_8);
    final byte[] value = delta.value().getBytes(StandardCharsets.UTF_8);
    final ByteBuffer out = ByteBuffer.allocate(
        1 + 3 * Integer.BYTES + tenant.length + dimension.length + value.length
            + LONGS * Long.BYTES);
    out.put(VERSION);
    putString(out, tenant);
    putString(out, dimension);
    putString(out, value);
    out.putLong(delta.timestamp())
        .putLong(delta.requests())
        .putLong(delta.inputTokens())
        .putLong(delta.outputTokens())
        .putLong(delta.cachedInputTokens())
        .putLong(delta.reasoningTokens())
        .putLong(delta.costMicros())
        .putLong(delta.counterfactualMicros())
        .putLong(delta.estimatedRequests())
        .putLong(delta.unpricedRequests())
        .putLong(delta.duplicateRequests())
        .putLong(delta.duplicateCostMicros());
    return out.array();
  }

  static SpendDelta read(final byte[] bytes) {
    final ByteBuffer in = ByteBuffer.wrap(bytes);
    final byte version = in.get();
    if (version != VERSION && version != VERSION_WITHOUT_DUPLICATES) {
      throw new SerializationException("unknown pre-sum record version " + version);
    }
    final String tenant = getString(in);
    final String label = getString(in);
    final SpendDimension dimension = SpendDimension.fromLabel(label).orElseThrow(
        () -> new SerializationException("unknown dimension in a pre-sum record: " + label));
    final String value = getString(in);
    final long[] longs = new long[LONGS];
    final int present = version == VERSION ? LONGS : LONGS - 2;
    for (int i = 0; i < present; i++) {
      longs[i] = in.getLong();
    }
    return new SpendDelta(tenant, dimension, value, longs[0], longs[1], longs[2], longs[3],
        longs[4], longs[5], longs[6], longs[7], longs[8], longs[9], longs[10], longs[11]);
  }

  private static void putString(final ByteBuffer out, final byte[] utf8) {
    out.putInt(utf8.length);
    out.put(utf8);
  }

  private static String getString(final ByteBuffer in) {
    final int length = in.getInt();
    final String text = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return text;
  }
}
