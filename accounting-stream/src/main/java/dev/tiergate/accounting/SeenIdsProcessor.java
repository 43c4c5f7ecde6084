package dev.tiergate.accounting;

import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;

/**
 * A processor that tells the first record of an id from the later ones, with the ids kept in a
 * changelogged window store ({@link SeenIds}) opened by name when the task starts: the accounting
 * stream's billing dedupe and the batch stream's first answer or usage per item.
 *
 * @param <V> the record value, passed on with its key unchanged
 */
public abstract class SeenIdsProcessor<V> extends ContextualFixedKeyProcessor<String, V, V> {

  private final String storeName;
  private final Duration retention;
  private SeenIds seen;

  /**
   * @param storeName the window store of seen ids
   * @param retention how far apart in event time two records of one id still count as one
   */
  protected SeenIdsProcessor(final String storeName, final Duration retention) {
    this.storeName = Objects.requireNonNull(storeName, "storeName");
    this.retention = Objects.requireNonNull(retention, "retention");
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, V> context) {
    super.init(context);
    seen = new SeenIds(context.getStateStore(storeName), retention);
  }

  /** True, and the id marked at {@code timestamp}, when it was not seen around that time. */
  protected final boolean firstAt(final String id, final long timestamp) {
    return seen.firstAt(id, timestamp);
  }
}
