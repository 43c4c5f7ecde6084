package dev.tiergate.accounting.batch;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.RunnableService;
import dev.tiergate.runtime.StreamsRunner;
import dev.tiergate.schemas.SerdeFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs the batch-progress stream on a {@link StreamsRunner} (started off the caller's thread, a
 * failed stream thread replaced, close bounded and idempotent). It has no HTTP API: progress is read
 * from the compacted batches topic, by {@code tiergate batch status} or any consumer.
 */
@EntryPoint
public final class BatchProgressService implements RunnableService {

  /** How long {@link #start} waits for RUNNING before it returns (the stream keeps starting). */
  static final Duration START_WAIT = Duration.ofSeconds(30);

  private final StreamsRunner runner;

  public BatchProgressService(final BatchConfig config, final SerdeFactory serdes) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(serdes, "serdes");
    this.runner = new StreamsRunner(
        "batch-progress",
        BatchProgressTopology.build(serdes, config),
        config.streamsProperties(),
        config.closeTimeout(),
        () -> { });
  }

  /**
   * Starts the stream; returns once it runs, or after {@link #START_WAIT}.
   *
   * @throws IllegalStateException when called twice, or when the stream fails while starting
   */
  @Override
  public void start() {
    runner.start(START_WAIT);
  }

  /** The Streams state, {@code CREATED} before start. */
  public KafkaStreams.State state() {
    return runner.state();
  }

  @Override
  public Optional<Throwable> awaitStopped() throws InterruptedException {
    return runner.awaitStopped();
  }

  @Override
  public void close() {
    runner.close();
  }
}
