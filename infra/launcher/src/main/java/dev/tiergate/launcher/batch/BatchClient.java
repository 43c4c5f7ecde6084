package dev.tiergate.launcher.batch;

import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.BatchProgress;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.tracing.MessagingSpans;
import dev.tiergate.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The CLI's Kafka side of batches: publishes a manifest and its items, and reads manifests,
 * progress, items and answers back. Everything a batch is lives on Kafka, so any machine with the
 * cluster's address can submit, follow or collect a batch.
 */
public final class BatchClient {

  /** The instrumentation scope of the batch lane's producer spans. */
  static final String TRACER = "tiergate-batch";

  private final KafkaSettings kafka;
  private final SerdeFactory serdes;
  private final TopicReader reader;

  /** A client whose serdes talk to the cluster's own registry. */
  public BatchClient(final KafkaSettings kafka) {
    this(kafka, Objects.requireNonNull(kafka, "kafka").serdes());
  }

  public BatchClient(final KafkaSettings kafka, final SerdeFactory serdes) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.serdes = Objects.requireNonNull(serdes, "serdes");
    this.reader = new TopicReader(kafka, serdes);
  }

  /** The latest manifest of the batch, if it was ever submitted. */
  public Optional<BatchManifest> manifest(final String batchId) {
    return latest(Topics.BATCH_MANIFESTS, batchId);
  }

  /** The latest progress of the batch, if any answer or its manifest has been counted yet. */
  public Optional<BatchProgress> progress(final String batchId) {
    return latest(Topics.BATCHES, batchId);
  }

  /**
   * Publishes the manifest (items not yet complete), every item, then the manifest marked complete.
   * Idempotent: the ids are deterministic, so publishing the same batch again after a crash resumes
   * it (the dispatcher and the progress stream drop what they already handled).
   *
   * @param onProduced called with the number of items acknowledged so far
   */
  public void publish(final BatchManifest manifest, final Iterable<ChatRequest> items,
      final LongConsumer onProduced) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(onProduced, "onProduced");
    try (Producer<String, ChatRequest> requests = producer(Topics.REQUESTS);
        Producer<String, BatchManifest> manifests = producer(Topics.BATCH_MANIFESTS)) {
      sendManifest(manifests, BatchManifest.newBuilder(manifest).setItemsComplete(false).build());
      final AtomicReference<Exception> failure = new AtomicReference<>();
      long produced = 0;
      for (final ChatRequest item : items) {
        final ProducerRecord<String, ChatRequest> record =
            new ProducerRecord<>(Topics.REQUESTS.name(), item.getSessionId(), item);
        TiergateHeaders.put(
            record.headers(), TiergateHeaders.CORRELATION_ID, item.getCorrelationId());
        // Each item is a request of its own: its trace starts here, at its send.
        final Span send = MessagingSpans.send(Tracing.tracer(TRACER), Topics.REQUESTS.name(),
            Context.root(), record.headers(), item.getCorrelationId());
        requests.send(record, (metadata, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
            send.setStatus(StatusCode.ERROR, error.getClass().getSimpleName());
          }
          send.end();
        });
        produced++;
        if (produced % 100 == 0) {
          onProduced.accept(produced);
        }
      }
      requests.flush();
      if (failure.get() != null) {
        // The manifest stays incomplete, so submitting again resumes under the same ids.
        throw new IllegalStateException("could not publish every batch item", failure.get());
      }
      onProduced.accept(produced);
      sendManifest(manifests, BatchManifest.newBuilder(manifest).setItemsComplete(true).build());
    }
  }

  /**
   * Follows the batch's progress until every item is answered or the deadline passes.
   *
   * @return the last progress seen, empty when none arrived
   */
  public Optional<BatchProgress> follow(
      final String batchId, final long total, final Instant deadline,
      final Consumer<BatchProgress> onUpdate) {
    final AtomicReference<BatchProgress> last = new AtomicReference<>();
    reader.follow(
        Topics.BATCHES,
        (key, progress) -> {
          if (batchId.equals(key)) {
            last.set(progress);
            onUpdate.accept(progress);
          }
        },
        () -> last.get() != null && finished(last.get(), total),
        deadline);
    return Optional.ofNullable(last.get());
  }

  /** The batch's items in the order they were read, by custom id. */
  public Map<String, ChatRequest> items(final String batchId) {
    return firstPerItem(
        Topics.REQUESTS, batchId, ChatRequest::getBatchId, ChatRequest::getBatchItemId);
  }

  /** The first answer of each of the batch's items, by custom id. */
  public Map<String, ChatResponse> answers(final String batchId) {
    return firstPerItem(
        Topics.RESPONSES, batchId, ChatResponse::getBatchId, ChatResponse::getBatchItemId);
  }

  /** The first record of {@code topic} for each of the batch's items, in read order, by custom id. */
  private <V> Map<String, V> firstPerItem(
      final Topic<V> topic, final String batchId, final Function<V, String> batchIdOf,
      final Function<V, String> itemIdOf) {
    final Map<String, V> first = new LinkedHashMap<>();
    reader.readToEnd(topic, (key, value) -> {
      if (batchId.equals(batchIdOf.apply(value)) && itemIdOf.apply(value) != null) {
        first.putIfAbsent(itemIdOf.apply(value), value);
      }
    });
    return first;
  }

  /** Whether every item of a batch of {@code total} has an answer. */
  public static boolean finished(final BatchProgress progress, final long total) {
    final long expected = Math.max(total, progress.getTotal());
    return expected > 0 && progress.getDone() + progress.getFailed() >= expected;
  }

  private <V> Optional<V> latest(final Topic<V> topic, final String key) {
    Objects.requireNonNull(key, "key");
    final AtomicReference<V> found = new AtomicReference<>();
    reader.readToEnd(topic, (recordKey, value) -> {
      if (key.equals(recordKey)) {
        found.set(value);
      }
    });
    return Optional.ofNullable(found.get());
  }

  private static void sendManifest(
      final Producer<String, BatchManifest> producer, final BatchManifest manifest) {
    try {
      producer.send(
              new ProducerRecord<>(
                  Topics.BATCH_MANIFESTS.name(), manifest.getBatchId(), manifest))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing the batch manifest", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not publish the batch manifest", e.getCause());
    }
  }

  private <V extends SpecificRecord> Producer<String, V> producer(final Topic<V> topic) {
    return new KafkaProducer<>(
        kafka.clientProperties(
            Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")),
        new StringSerializer(),
        topic.valueSerde(serdes).serializer());
  }
}
