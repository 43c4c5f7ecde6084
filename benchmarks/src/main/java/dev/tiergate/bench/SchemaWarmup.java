package dev.tiergate.bench;

import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * Registers the pipeline's value schemas once, from one thread, before a benchmark starts its
 * services: on a busy machine the registry's embedded database can time out when several services
 * register the same schemas concurrently at their first record, which would measure the registry's
 * startup rather than the pipeline.
 */
final class SchemaWarmup {

  private SchemaWarmup() {}

  static void register(final KafkaSettings kafka) {
    Objects.requireNonNull(kafka, "kafka");
    final SerdeFactory serdes = kafka.serdes();
    final Instant now = Instant.now();
    final Usage usage = Usage.newBuilder().setInputTokens(1).setOutputTokens(1).build();
    Topics.RESPONSES.valueSerde(serdes).serializer().serialize(Topics.RESPONSES.name(),
        ChatResponse.newBuilder().setCorrelationId("req_warmup").setCreatedAt(now).build());
    Topics.RESPONSE_CHUNKS.valueSerde(serdes).serializer().serialize(Topics.RESPONSE_CHUNKS.name(),
        ChatChunk.newBuilder().setCorrelationId("req_warmup").setSequence(0).build());
    Topics.USAGE.valueSerde(serdes).serializer().serialize(Topics.USAGE.name(),
        UsageEvent.newBuilder().setCorrelationId("req_warmup").setTenant("t").setMode("m")
            .setTier("t").setModel("openai/gpt-5").setProvider("openai").setUsage(usage)
            .setOccurredAt(now).build());
    Topics.ROUTED.valueSerde(serdes).serializer().serialize(Topics.ROUTED.name(),
        DispatcherCommand.routed(0));
    Topics.REQUESTS.valueSerde(serdes).serializer().serialize(Topics.REQUESTS.name(),
        DispatcherCommand.routed(0).getRequest());
  }
}
