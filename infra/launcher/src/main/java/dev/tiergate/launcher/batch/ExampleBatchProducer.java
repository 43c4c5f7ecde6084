package dev.tiergate.launcher.batch;

import dev.tiergate.runtime.BatchIds;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A batch produced as events, without the CLI's file parsing: what any service with a Kafka producer
 * and the published Avro schemas does to run batch work through Tiergate (docs/batch.md walks through
 * it). Run it with {@code tiergate batch example --items N}.
 *
 * <ol>
 *   <li>Write a {@code BatchManifest} (total = number of items) to {@code tiergate.batch-manifests},
 *       keyed by batch id, so progress knows when the batch is finished.
 *   <li>Write one {@code ChatRequest} per item to {@code tiergate.requests}, keyed by its session id,
 *       with {@code batchId} and {@code batchItemId} (your custom id) set and a correlation id that
 *       is a pure function of the two, so a replay is recognised.
 *   <li>Read answers from {@code tiergate.responses} (filter on {@code batchId}) and progress from
 *       the compacted {@code tiergate.batches}.
 * </ol>
 */
public final class ExampleBatchProducer {

  private final KafkaSettings kafka;

  public ExampleBatchProducer(final KafkaSettings kafka) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
  }

  /** Produces a batch of {@code count} small summarisation prompts; returns nothing until acked. */
  public void produce(final String batchId, final String tenant, final int count) {
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(tenant, "tenant");
    final Map<String, Object> producerSettings =
        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    final Serializer<BatchManifest> manifestSerializer =
        Topics.BATCH_MANIFESTS.valueSerde(kafka.serdes()).serializer();
    final Serializer<ChatRequest> requestSerializer =
        Topics.REQUESTS.valueSerde(kafka.serdes()).serializer();
    try (KafkaProducer<String, BatchManifest> manifests =
            new KafkaProducer<>(kafka.clientProperties(producerSettings), new StringSerializer(),
                manifestSerializer);
        KafkaProducer<String, ChatRequest> requests =
            new KafkaProducer<>(kafka.clientProperties(producerSettings), new StringSerializer(),
                requestSerializer)) {
      manifests.send(new ProducerRecord<>(
          Topics.BATCH_MANIFESTS.name(), batchId, manifest(batchId, tenant, count)));
      manifests.flush();
      for (int i = 1; i <= count; i++) {
        final ChatRequest item = item(batchId, tenant, "doc-" + i);
        final ProducerRecord<String, ChatRequest> record =
            new ProducerRecord<>(Topics.REQUESTS.name(), item.getSessionId(), item);
        TiergateHeaders.put(record.headers(), TiergateHeaders.CORRELATION_ID, item.getCorrelationId());
        requests.send(record);
      }
      requests.flush();
    }
  }

  static BatchManifest manifest(final String batchId, final String tenant, final int count) {
    return BatchManifest.newBuilder()
        .setBatchId(batchId)
        .setTenant(tenant)
        .setTotal(count)
        .setMode("background")
        .setSource("example-producer")
        .setItemsComplete(true)
        .setSubmittedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
        .build();
  }

  static ChatRequest item(final String batchId, final String tenant, final String customId) {
    final ContentPart text = ContentPart.newBuilder()
        .setType(PartType.TEXT)
        .setText("Summarise document " + customId + " in one sentence.")
        .build();
    return ChatRequest.newBuilder()
        .setCorrelationId(BatchIds.itemCorrelationId(batchId, customId))
        .setSessionId(BatchIds.itemSessionId(batchId, customId))
        .setTenant(tenant)
        .setMode("background")
        .setTier("small")
        .setApiKind(ApiKind.BATCH)
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(text)).build()))
        .setSampling(SamplingParams.newBuilder().setMaxTokens(64).build())
        .setBatchId(batchId)
        .setBatchItemId(customId)
        .setReceivedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
        .build();
  }
}
