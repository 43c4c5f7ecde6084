package dev.tiergate.accounting.batch;

import dev.tiergate.schemas.SerdeFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the batch-progress stream: owns its {@link KafkaStreams} (a failed stream thread is
 * replaced; close is bounded and idempotent). It has no HTTP API: progress is read from the
 * compacted batches topic, by {@code tiergate batch status} or any consumer.
 */
public final class BatchProgressService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BatchProgressService.class);

  private final BatchConfig config;
  private final SerdeFactory serdes;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile KafkaStreams streams;

  public BatchProgressService(final BatchConfig config, final SerdeFactory serdes) {
    this.config = Objects.requireNonNull(config, "config");
    this.serdes = Objects.requireNonNull(serdes, "serdes");
  }

  /**
   * Starts the stream; returns once the global catalogue is loaded (Streams' own start contract).
   *
   * @throws IllegalStateException when called twice
   */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    final KafkaStreams app =
        new KafkaStreams(
            BatchProgressTopology.build(serdes, config), config.streamsProperties());
    app.setUncaughtExceptionHandler(BatchProgressService::replaceThread);
    streams = app;
    app.start();
  }

  /** The Streams state, {@code CREATED} before start. */
  public KafkaStreams.State state() {
    final KafkaStreams app = streams;
    return app == null ? KafkaStreams.State.CREATED : app.state();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    final KafkaStreams app = streams;
    final Duration timeout = config.closeTimeout();
    if (app != null && !app.close(timeout)) {
      LOG.warn("batch-progress stream did not close within {}", timeout);
    }
  }

  private static StreamThreadExceptionResponse replaceThread(final Throwable error) {
    LOG.error("batch-progress stream thread failed; replacing it", error);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }
}
