package dev.tiergate.accounting.batch;

import dev.tiergate.schemas.ChatResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Passes only the first answer of each batch item. A request can be answered twice (a dispatcher
 * crash between produce and commit redelivers it), and a batch must count each item once. The
 * correlation ids already seen live in a window store, so they expire with the responses topic's
 * retention instead of growing without bound; under exactly-once the store and the counts move
 * together.
 */
final class FirstAnswerFilter extends ContextualFixedKeyProcessor<String, ChatResponse, ChatResponse> {

  private final Duration retention;
  private WindowStore<String, Long> seen;

  FirstAnswerFilter(final Duration retention) {
    this.retention = Objects.requireNonNull(retention, "retention");
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, ChatResponse> context) {
    super.init(context);
    seen = context.getStateStore(BatchProgressTopology.SEEN_ITEMS_STORE);
  }

  @Override
  public void process(final FixedKeyRecord<String, ChatResponse> record) {
    final String correlationId = record.value().getCorrelationId();
    final long timestamp = record.timestamp();
    if (alreadySeen(correlationId, timestamp)) {
      return;
    }
    seen.put(correlationId, timestamp, timestamp);
    context().forward(record);
  }

  private boolean alreadySeen(final String correlationId, final long timestamp) {
    final Instant at = Instant.ofEpochMilli(timestamp);
    try (WindowStoreIterator<Long> found =
        seen.fetch(correlationId, at.minus(retention), at.plus(retention))) {
      return found.hasNext();
    }
  }
}
