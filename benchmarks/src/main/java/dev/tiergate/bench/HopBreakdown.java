package dev.tiergate.bench;

import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Where a request's time goes inside the pipeline, from the timestamps the events carry and when
 * the load generator read the answer (all millisecond wall-clock times of this machine): ingress
 * accepted ({@code ChatRequest.receivedAt}) → routed ({@code RoutingDecision.routedAt}) → answer
 * produced by the dispatcher ({@code ChatResponse.createdAt}) → sent to the broker in the
 * dispatcher's transaction (the response record's timestamp, set when the committer sends it) →
 * answer read in full by the generator (the commit, the ingress's read-committed fetch, the HTTP
 * reply). The hops are over the measured phases' requests; one row gives the first hop over every
 * request of the stack, warm-ups included, to tell the two apart.
 */
final class HopBreakdown {

  private static final long HIGHEST = 600_000;

  private final HopTable.Spans ingressToRouted = new HopTable.Spans(HIGHEST);
  private final HopTable.Spans routedToAnswered = new HopTable.Spans(HIGHEST);
  private final HopTable.Spans answeredToSent = new HopTable.Spans(HIGHEST);
  private final HopTable.Spans sentToClient = new HopTable.Spans(HIGHEST);
  private final HopTable.Spans ingressToClient = new HopTable.Spans(HIGHEST);
  private final HopTable.Spans ingressToRoutedAll = new HopTable.Spans(HIGHEST);

  /** Reads every routed request and response of the (fresh) stack and pairs them by id. */
  static HopBreakdown read(final KafkaSettings kafka, final AnswerTimes answers) {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(answers, "answers");
    final Map<String, RoutedRequest> routed = new HashMap<>();
    readAll(kafka, Topics.ROUTED,
        record -> routed.put(record.value().getRequest().getCorrelationId(), record.value()));
    final HopBreakdown hops = new HopBreakdown();
    readAll(kafka, Topics.RESPONSES, record -> hops.add(
        routed.get(record.value().getCorrelationId()), record, answers));
    return hops;
  }

  private void add(
      final RoutedRequest routed, final ConsumerRecord<String, ChatResponse> record, final AnswerTimes answers) {
    final ChatResponse response = record.value();
    if (routed == null || response == null) {
      return;
    }
    final long received = routed.getRequest().getReceivedAt().toEpochMilli();
    final long routedAt = routed.getDecision().getRoutedAt().toEpochMilli();
    ingressToRoutedAll.record(routedAt - received);
    answers.answeredAt(response.getCorrelationId()).ifPresent(atClient -> {
      final long answered = response.getCreatedAt().toEpochMilli();
      ingressToRouted.record(routedAt - received);
      routedToAnswered.record(answered - routedAt);
      answeredToSent.record(record.timestamp() - answered);
      sentToClient.record(atClient - record.timestamp());
      ingressToClient.record(atClient - received);
    });
  }

  /** Every record of {@code topic} with a value, from the beginning to its end now. */
  static <V> void readAll(final KafkaSettings kafka, final Topic<V> topic,
      final java.util.function.Consumer<ConsumerRecord<String, V>> sink) {
    final var props = kafka.clientProperties(Map.of(
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
        props, topic.keySerde().deserializer(), topic.valueSerde(kafka.serdes()).deserializer())) {
      PartitionTail.readToEnd(consumer, topic.name(), record -> {
        if (record.value() != null) {
          sink.accept(record);
        }
      });
    }
  }

  /** Markdown rows: hop, count, p50, p90, p99, max (ms). */
  List<String> markdown() {
    return new HopTable("hop", "requests", HopTable.Unit.MILLIS)
        .row("ingress accepted → routed (produce, router poll/process)", ingressToRouted)
        .row("routed → answer produced (dispatcher poll, provider call)", routedToAnswered)
        .row("answer produced → sent in a transaction (waits for the round in flight)", answeredToSent)
        .row("sent → answer read by the client (commit, read_committed fetch, HTTP reply)",
            sentToClient)
        .row("**ingress accepted → answer read by the client**", ingressToClient)
        .row("ingress accepted → routed, every request of the stack (warm-ups included)",
            ingressToRoutedAll)
        .markdown();
  }
}
