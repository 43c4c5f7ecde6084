package dev.tiergate.dispatcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.provider.ProviderClient;
import dev.tiergate.dispatcher.provider.Providers;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher as one runnable unit: Kafka clients, the provider HTTP client and one {@link
 * DispatcherWorker}. Scale by running more instances in the same group.
 */
public final class DispatcherService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DispatcherService.class);

  private final DispatcherConfig config;
  private final SerdeFactory serdes;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private ProviderClient providerClient;
  private Producer<String, byte[]> producer;
  private DispatcherWorker worker;

  public DispatcherService(final DispatcherConfig config, final SerdeFactory serdes) {
    this.config = Objects.requireNonNull(config, "config");
    this.serdes = Objects.requireNonNull(serdes, "serdes");
  }

  /** Builds the clients and starts consuming; returns once the poll thread runs. */
  public synchronized void start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("dispatcher already started or closed");
    }
    providerClient = new ProviderClient(config.http());
    producer =
        new KafkaProducer<>(
            config.producerProperties(),
            Topics.ROUTED.keySerde().serializer(),
            new ByteArraySerializer());
    final ResponsePublisher publisher = new ResponsePublisher(producer, serdes);
    final RequestDispatcher dispatcher =
        new RequestDispatcher(
            new Providers(config.providers().values(), new ObjectMapper()),
            providerClient,
            config.retry(),
            publisher,
            Clock.systemUTC());
    final KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            config.consumerProperties(),
            Topics.ROUTED.keySerde().deserializer(),
            new ByteArrayDeserializer());
    worker = new DispatcherWorker(config.workerSettings(), consumer, publisher, dispatcher, serdes);
    worker.start();
    log.info("dispatcher started: group {}, providers {}", config.groupId(), config.providers().keySet());
  }

  public boolean isRunning() {
    final DispatcherWorker current = worker;
    return current != null && current.isRunning();
  }

  /** Why the worker stopped on its own, if it did. */
  public Optional<Throwable> failure() {
    final DispatcherWorker current = worker;
    return current == null ? Optional.empty() : current.failure();
  }

  /** Blocks until the worker stops (closed, or failed on its own). */
  public void awaitTermination() throws InterruptedException {
    final DispatcherWorker current = worker;
    if (current != null) {
      while (!current.awaitTermination(Duration.ofMinutes(1))) {
        log.debug("dispatcher still running");
      }
    }
  }

  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (worker != null) {
      worker.close();
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(10));
    }
    if (providerClient != null) {
      providerClient.close();
    }
    log.info("dispatcher closed");
  }
}
