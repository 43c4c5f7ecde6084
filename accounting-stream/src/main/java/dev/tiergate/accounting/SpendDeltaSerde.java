package dev.tiergate.accounting;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The pre-sum store's value formats, each led by a version byte. Version 2 (and version 1, before
 * the duplicate figures) is one pending sum: three length-prefixed UTF-8 strings (tenant, dimension
 * label, value) and twelve longs; the store held these until the pending state became one record
 * per usage, and they are still read so sums restored across an upgrade are kept. Version 3 is one
 * usage's deltas ({@link #writeUsage}): its generation, its time and eleven figures once, the
 * tenant, then each dimension's label and value. Version 4 is the current generation
 * ({@link #writeGeneration}). Only the pre-sum store and its changelog use these; the topics others
 * read stay Avro. Fixed and schema-free because they are on the per-event path.
 */
final class SpendDeltaSerde implements Serde<SpendDelta> {

  private static final byte VERSION = 2;
  private static final byte VERSION_WITHOUT_DUPLICATES = 1;
  static final byte VERSION_USAGE = 3;
  static final byte VERSION_GENERATION = 4;
  private static final int LONGS = 12;
  /** A usage record's figures: {@link #LONGS} without the time. */
  private static final int FIGURES = LONGS - 1;

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
    out.putLong(delta.timestamp());
    putFigures(out, delta);
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

  /** The format of a stored value: a version byte defined here. */
  static byte version(final byte[] bytes) {
    return bytes[0];
  }

  /**
   * One usage's deltas (at least one, all of one usage: same tenant, time and figures, one per
   * dimension) in the given generation.
   */
  static byte[] writeUsage(final long generation, final List<SpendDelta> deltas) {
    final SpendDelta first = deltas.get(0);
    final byte[] tenant = first.tenant().getBytes(StandardCharsets.UTF_8);
    final List<byte[]> parts = new ArrayList<>(2 * deltas.size());
    int length = 1 + 2 * Long.BYTES + FIGURES * Long.BYTES + Integer.BYTES + tenant.length + 1;
    for (final SpendDelta delta : deltas) {
      final byte[] label = delta.dimension().label().getBytes(StandardCharsets.UTF_8);
      final byte[] value = delta.value().getBytes(StandardCharsets.UTF_8);
      parts.add(label);
      parts.add(value);
      length += 2 * Integer.BYTES + label.length + value.length;
    }
    final ByteBuffer out = ByteBuffer.allocate(length);
    out.put(VERSION_USAGE).putLong(generation).putLong(first.timestamp());
    putFigures(out, first);
    putString(out, tenant);
    out.put((byte) deltas.size());
    parts.forEach(part -> putString(out, part));
    return out.array();
  }

  /** The current generation of the pending usage records. */
  static byte[] writeGeneration(final long generation) {
    return ByteBuffer.allocate(1 + Long.BYTES).put(VERSION_GENERATION).putLong(generation).array();
  }

  /** The generation of a usage record or of the generation record. */
  static long readGeneration(final byte[] bytes) {
    final byte version = version(bytes);
    if (version != VERSION_USAGE && version != VERSION_GENERATION) {
      throw new SerializationException("not a usage or generation record: version " + version);
    }
    return ByteBuffer.wrap(bytes, 1, Long.BYTES).getLong();
  }

  /** The deltas of a usage record, one per dimension, in the order written. */
  static List<SpendDelta> readUsage(final byte[] bytes) {
    final ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.get() != VERSION_USAGE) {
      throw new SerializationException("not a usage record: version " + bytes[0]);
    }
    in.getLong();
    final long timestamp = in.getLong();
    final long[] figures = new long[FIGURES];
    for (int i = 0; i < FIGURES; i++) {
      figures[i] = in.getLong();
    }
    final String tenant = getString(in);
    final int count = in.get();
    final List<SpendDelta> deltas = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      final String label = getString(in);
      final SpendDimension dimension = SpendDimension.fromLabel(label).orElseThrow(
          () -> new SerializationException("unknown dimension in a pending usage: " + label));
      deltas.add(new SpendDelta(tenant, dimension, getString(in), timestamp, figures[0],
          figures[1], figures[2], figures[3], figures[4], figures[5], figures[6], figures[7],
          figures[8], figures[9], figures[10]));
    }
    return deltas;
  }

  /** The figures of a delta, in the order both formats keep them. */
  private static void putFigures(final ByteBuffer out, final SpendDelta delta) {
    out.putLong(delta.requests())
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
