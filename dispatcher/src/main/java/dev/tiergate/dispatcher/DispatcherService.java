package dev.tiergate.dispatcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.provider.ModelFamilies;
import dev.tiergate.dispatcher.provider.ProviderClient;
import dev.tiergate.dispatcher.provider.ProviderGuards;
import dev.tiergate.dispatcher.provider.Providers;
import dev.tiergate.runtime.DaemonThreads;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.OpsServer;
import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.runtime.RunnableService;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher as one runnable unit: Kafka clients (a transactional producer for responses, usage
 * and offsets, a plain one for stream chunks), the provider HTTP client, tails of the model
 * catalogue (for model families) and of the responses topic (to skip requests already answered),
 * one {@link DispatcherWorker}, and {@code /metrics} + {@code /health} on the config's metrics port
 * (Kafka client metrics included, so consumer lag per partition is scraped with the rest). Scale by
 * running more instances in the same group.
 */
@EntryPoint
public final class DispatcherService implements RunnableService {

  private static final Logger log = LoggerFactory.getLogger(DispatcherService.class);
  private static final Duration CLIENT_METRICS_REFRESH = Duration.ofSeconds(5);

  private final DispatcherConfig config;
  private final SerdeFactory serdes;
  private final Function<Properties, Consumer<String, byte[]>> consumers;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private ProviderClient providerClient;
  private Producer<String, byte[]> producer;
  private TransactionalOutcomes outcomes;
  private Admin admin;
  private DispatcherWorker worker;
  private final List<TopicTail<?>> tails = new ArrayList<>();
  private TopicTail<?> responsesTail;
  private ProviderGuards guards;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DispatcherMetrics metrics = new DispatcherMetrics(registry);
  private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
  private ScheduledExecutorService clientMetricsRefresh;
  private volatile OpsServer http;

  /** With the schema-registry serdes of the config's Kafka settings, as {@link Main} runs it. */
  public DispatcherService(final DispatcherConfig config) {
    this(config, Objects.requireNonNull(config, "config").kafka().serdes());
  }

  public DispatcherService(final DispatcherConfig config, final SerdeFactory serdes) {
    this(
        config,
        serdes,
        properties ->
            new KafkaConsumer<>(properties, Topics.ROUTED.keySerde().deserializer(), new ByteArrayDeserializer()));
  }

  /** With the consumer of {@code tiergate.routed} made by the given factory (tests inject faults). */
  DispatcherService(
      final DispatcherConfig config,
      final SerdeFactory serdes,
      final Function<Properties, Consumer<String, byte[]>> consumers) {
    this.config = Objects.requireNonNull(config, "config");
    this.serdes = Objects.requireNonNull(serdes, "serdes");
    this.consumers = Objects.requireNonNull(consumers, "consumers");
  }

  /** Builds the clients and starts consuming; returns once the poll thread runs. */
  @Override
  public synchronized void start() {
    if (closed.get() || !started.compareAndSet(false, true)) {
      throw new IllegalStateException("dispatcher already started or closed");
    }
    providerClient = new ProviderClient(config.http());
    final ModelFamilies families = new ModelFamilies();
    final ProducedResponses produced = new ProducedResponses(config.dedupCapacity());
    final CallStops stops = new CallStops(Clock.systemUTC(), config.dedupCapacity());
    startCancelsTail(stops);
    startTails(families, produced);
    guards = new ProviderGuards(config.guards());
    producer =
        new KafkaProducer<>(
            config.producerProperties(),
            Topics.ROUTED.keySerde().serializer(),
            new ByteArraySerializer());
    final Outbox outbox = new Outbox();
    outcomes =
        new TransactionalOutcomes(
            new KafkaProducer<>(
                config.transactionalProducerProperties(),
                Topics.ROUTED.keySerde().serializer(),
                new ByteArraySerializer()),
            outbox,
            config.delivery().fault());
    if (config.delivery().fault() != DispatcherFault.NONE) {
      log.warn("test fault injected: {}={}", DispatcherFault.ENV, config.delivery().fault());
    }
    final ResponsePublisher publisher = ResponsePublisher.staging(producer, serdes, outbox);
    final RequestDispatcher dispatcher =
        new RequestDispatcher(
            new ProviderCalls(
                new Providers(config.providers().values(), new ObjectMapper(), families, true),
                providerClient,
                new CallPolicy(config.retry(), config.keys(), guards)),
            publisher,
            Clock.systemUTC(),
            metrics,
            stops);
    final Consumer<String, byte[]> consumer = consumers.apply(config.consumerProperties());
    admin = Admin.create(config.kafka().clientProperties(Map.of("client.id", config.groupId() + "-admin")));
    worker =
        new DispatcherWorker(
            config.workerSettings(), consumer, outcomes, dispatcher, serdes,
            new AnsweredView(produced, new TailCatchUp(admin, responsesTail)));
    bindMetrics(consumer);
    worker.start();
    if (config.metricsPort() != DispatcherConfig.NO_METRICS_PORT) {
      http = OpsServer.start("dispatcher", config.metricsHost(), config.metricsPort(), registry::scrape,
          () -> OpsServer.Health.of(isRunning()));
    }
    log.info("dispatcher started: group {}, providers {}", config.groupId(), config.providers().keySet());
  }

  private void bindMetrics(final Consumer<String, byte[]> consumer) {
    metrics.breakers(guards, config.providers().keySet());
    metrics.inFlight(worker);
    // Per-partition lag meters appear only after the first fetch: look for new client metrics
    // every few seconds rather than the binder's default minute.
    clientMetricsRefresh = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("tiergate-dispatcher-client-metrics"));
    clientMetrics.add(new KafkaClientMetrics(consumer, Tags.empty(), clientMetricsRefresh, CLIENT_METRICS_REFRESH));
    clientMetrics.add(new KafkaClientMetrics(producer, Tags.empty(), clientMetricsRefresh, CLIENT_METRICS_REFRESH));
    clientMetrics.forEach(binder -> binder.bindTo(registry));
  }

  /** The port of {@code /metrics} and {@code /health}; -1 before start or when turned off. */
  public int metricsPort() {
    final OpsServer server = http;
    return server == null ? DispatcherConfig.NO_METRICS_PORT : server.port();
  }

  /** The dispatcher's meters (what {@code /metrics} serves). */
  public MeterRegistry meterRegistry() {
    return registry;
  }

  /** The per-provider guards, for tests and metrics; null before start. */
  public ProviderGuards guards() {
    return guards;
  }

  /**
   * Every instance reads every cancel (they are few: one per abandoned request) from the dedup
   * lookback on, so a cancel heard before its request is picked up still stops it; the service
   * waits (bounded) for it to catch up with the other tails.
   */
  private void startCancelsTail(final CallStops stops) {
    tails.add(
        tail(Topics.CANCELS, "cancels", Instant.now().minus(config.dedupLookback()),
            (id, cancel) -> {
              if (cancel != null) {
                stops.cancel(cancel);
              }
            }));
  }

  /**
   * Starts the catalogue and responses tails and waits (bounded) until both read what their topics
   * held, so the first requests see the catalogue's families and no answered request is redone.
   */
  private void startTails(final ModelFamilies families, final ProducedResponses produced) {
    final ModelCatalogue catalogue = new ModelCatalogue(families);
    tails.add(tail(Topics.MODELS, "models", Instant.EPOCH, catalogue::apply));
    responsesTail =
        tail(Topics.RESPONSES, "responses", Instant.now().minus(config.dedupLookback()),
            (id, response) -> {
              if (response != null) {
                produced.add(response.getCorrelationId());
              }
            });
    tails.add(responsesTail);
    for (final TopicTail<?> tail : tails) {
      try {
        if (!tail.awaitCaughtUp(config.catchUpTimeout())) {
          log.warn("a dispatcher tail did not catch up within {}; starting anyway", config.catchUpTimeout());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the dispatcher", e);
      }
    }
    log.info("dispatcher read {} catalogue families and {} answered requests", families.size(), produced.size());
  }

  /** A tail of {@code topic} from {@code from}, its consumer named after {@code name}. */
  private <V> TopicTail<V> tail(
      final Topic<V> topic, final String name, final Instant from,
      final BiConsumer<String, V> handler) {
    return new TopicTail<>(
        topic, tailConsumer(name), topic.valueSerde(serdes).deserializer(), from, handler);
  }

  private KafkaConsumer<String, byte[]> tailConsumer(final String name) {
    return new KafkaConsumer<>(
        PartitionTail.consumerProperties(config.kafka(), Map.of(
            "client.id", config.groupId() + "-" + name + "-tail",
            "auto.offset.reset", "earliest",
            "isolation.level", "read_committed")),
        Topics.MODELS.keySerde().deserializer(),
        new ByteArrayDeserializer());
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

  @Override
  public Optional<Throwable> awaitStopped() throws InterruptedException {
    awaitTermination();
    return failure();
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
    if (http != null) {
      http.close();
    }
    if (worker != null) {
      worker.close();
    }
    clientMetrics.forEach(KafkaClientMetrics::close);
    if (clientMetricsRefresh != null) {
      clientMetricsRefresh.shutdownNow();
    }
    registry.close();
    if (outcomes != null) {
      outcomes.close();
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(10));
    }
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    tails.forEach(TopicTail::close);
    if (providerClient != null) {
      providerClient.close();
    }
    log.info("dispatcher closed");
  }
}
