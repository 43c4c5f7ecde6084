package dev.tiergate.accounting;

import dev.tiergate.runtime.DeadLetterHeaders;
import dev.tiergate.runtime.NetworkFailures;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes raw usage records inside the topology rather than in the consumer, so a record that cannot
 * be decoded or priced keeps its original bytes and goes to the dead-letter topic with the reason and
 * source in its headers, while the app keeps running. A registry that cannot be reached is not the
 * record's fault: that failure is rethrown, so the thread is replaced and the record retried from
 * the last commit instead of a good usage record leaving the books.
 */
final class UsageDecoder extends ContextualProcessor<String, byte[], String, DecodedUsage> {

  private static final Logger LOG = LoggerFactory.getLogger(UsageDecoder.class);

  private final Deserializer<UsageEvent> deserializer;

  UsageDecoder(final Deserializer<UsageEvent> deserializer) {
    this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
  }

  @Override
  public void process(final Record<String, byte[]> record) {
    final DecodedUsage decoded = decode(record);
    if (!decoded.failed()) {
      context().forward(record.withValue(decoded).withTimestamp(eventTime(record, decoded)));
      return;
    }
    final String source = source();
    LOG.warn("usage record from {} dead-lettered: {}", source, decoded.problem());
    final Headers headers = new RecordHeaders(record.headers().toArray());
    DeadLetterHeaders.mark(headers, decoded.problem(), source);
    context().forward(record.withValue(decoded).withHeaders(headers));
  }

  private DecodedUsage decode(final Record<String, byte[]> record) {
    final byte[] raw = record.value();
    if (raw == null) {
      return DecodedUsage.invalid(null, "empty usage record");
    }
    final UsageEvent usage;
    try {
      usage = deserializer.deserialize(topic(), raw);
    } catch (RuntimeException e) {
      if (NetworkFailures.isNetwork(e)) {
        throw e;
      }
      return DecodedUsage.invalid(raw, "undecodable UsageEvent: " + e.getMessage());
    }
    if (usage == null) {
      return DecodedUsage.invalid(raw, "empty usage record");
    }
    final Optional<String> problem = problem(usage);
    return problem.isPresent() ? DecodedUsage.invalid(raw, problem.get()) : DecodedUsage.valid(usage);
  }

  /**
   * When the usage happened, which is what windows and their grace are measured in. A clock that
   * runs ahead must not push stream time into the future (every honest event would then be "late"),
   * so the time is capped at the record's own timestamp.
   */
  static long eventTime(final Record<String, byte[]> record, final DecodedUsage decoded) {
    final long occurredAt = decoded.usage().getOccurredAt().toEpochMilli();
    return record.timestamp() > 0 ? Math.min(occurredAt, record.timestamp()) : occurredAt;
  }

  private static Optional<String> problem(final UsageEvent usage) {
    if (usage.getTenant().isBlank()) {
      return Optional.of("usage without tenant");
    }
    if (usage.getModel().isBlank()) {
      return Optional.of("usage without model");
    }
    return CostCalculator.problem(usage.getUsage()).map(reason -> "unpriceable usage: " + reason);
  }

  private String topic() {
    return context().recordMetadata().map(RecordMetadata::topic).orElse(Topics.USAGE.name());
  }

  /** Topic, partition and offset, e.g. {@code tiergate.usage-3@42}. */
  private String source() {
    return DeadLetterHeaders.source(context().recordMetadata());
  }
}
