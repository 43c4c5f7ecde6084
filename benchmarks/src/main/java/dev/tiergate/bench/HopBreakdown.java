package dev.tiergate.bench;

import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Where a request's time goes inside the pipeline, from the timestamps the events carry (millisecond
 * resolution): ingress accepted ({@code ChatRequest.receivedAt}) → routed ({@code
 * RoutingDecision.routedAt}) → answer produced by the dispatcher ({@code ChatResponse.createdAt}),
 * which includes the dispatcher's consume and the provider call. The remainder of the end-to-end
 * time is the reply path (responses topic → ingress reader → HTTP) and the HTTP/JSON work.
 */
final class HopBreakdown {

  private final Histogram ingressToRouted = new Histogram(600_000, 3);
  private final Histogram routedToAnswered = new Histogram(600_000, 3);

  /** Reads every routed request and response of the (fresh) stack and pairs them by id. */
  static HopBreakdown read(final KafkaSettings kafka) {
    Objects.requireNonNull(kafka, "kafka");
    final Map<String, RoutedRequest> routed = new HashMap<>();
    readAll(kafka, Topics.ROUTED, (id, value) -> routed.put(id, value));
    final HopBreakdown hops = new HopBreakdown();
    readAll(kafka, Topics.RESPONSES, (id, response) -> hops.add(routed.get(id), response));
    return hops;
  }

  private void add(final RoutedRequest routed, final ChatResponse response) {
    if (routed == null || response == null) {
      return;
    }
    final long received = routed.getRequest().getReceivedAt().toEpochMilli();
    final long routedAt = routed.getDecision().getRoutedAt().toEpochMilli();
    final long answered = response.getCreatedAt().toEpochMilli();
    ingressToRouted.recordValue(Math.max(0, Math.min(600_000, routedAt - received)));
    routedToAnswered.recordValue(Math.max(0, Math.min(600_000, answered - routedAt)));
  }

  private static <V> void readAll(
      final KafkaSettings kafka, final Topic<V> topic, final BiConsumer<String, V> sink) {
    final var props = kafka.clientProperties(Map.of(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
        props, topic.keySerde().deserializer(), topic.valueSerde(kafka.serdes()).deserializer())) {
      PartitionTail.readToEnd(consumer, topic.name(),
          record -> sink.accept(correlationId(record.value()), record.value()));
    }
  }

  private static String correlationId(final Object value) {
    if (value instanceof RoutedRequest routed) {
      return routed.getRequest().getCorrelationId();
    }
    return value instanceof ChatResponse response ? response.getCorrelationId() : null;
  }

  /** Markdown rows: hop, count, p50, p90, p99, max (ms). */
  List<String> markdown() {
    return List.of(
        "| hop | requests | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
        row("ingress accepted → routed (produce, router poll/process)", ingressToRouted),
        row("routed → answer produced (dispatcher poll, provider call, produce)", routedToAnswered));
  }

  private static String row(final String label, final Histogram h) {
    return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |", label, h.getTotalCount(),
        h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
        h.getMaxValue());
  }
}
