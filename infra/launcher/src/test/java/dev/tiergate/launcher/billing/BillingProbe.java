package dev.tiergate.launcher.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topic;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** What the billing end-to-end tests do to a running stack: chat over HTTP, read spend and topics. */
final class BillingProbe {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "tg-demo-key";
  static final String TENANT = "demo";

  private final TiergateStack stack;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  BillingProbe(final TiergateStack stack) {
    this.stack = Objects.requireNonNull(stack, "stack");
  }

  HttpResponse<String> chat(final Map<String, String> headers, final String body)
      throws IOException, InterruptedException {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(stack.ingressUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String body(final String prompt, final boolean stream) {
    final var node = JSON.createObjectNode().put("model", "auto/small").put("stream", stream);
    node.set(
        "messages",
        JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user").put("content", prompt)));
    return node.toString();
  }

  /** The spend row of one feature for the demo tenant; null when there is none. */
  JsonNode featureSpend(final String feature) throws IOException, InterruptedException {
    final HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(stack.accountingUrl() + "/v1/spend?tenant=" + TENANT + "&by=feature"))
                .header("Authorization", "Bearer " + KEY)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return null;
    }
    for (final JsonNode row : JSON.readTree(response.body()).path("rows")) {
      if (feature.equals(row.path("value").asText())) {
        return row;
      }
    }
    return null;
  }

  /** Every value on the topic up to its current end, decoded. */
  <V> List<V> readAll(final Topic<V> topic) {
    final KafkaSettings kafka = stack.kafkaSettings();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(
            kafka.clientProperties(
                Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.CLIENT_ID_CONFIG, "billing-probe")),
            topic.keySerde().deserializer(),
            topic.valueSerde(kafka.serdes()).deserializer())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(info -> new TopicPartition(topic.name(), info.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      final List<V> values = new ArrayList<>();
      final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic.name() + " to its end");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
      }
      return values;
    }
  }

  <V> void publish(final Topic<V> topic, final String key, final V value) throws Exception {
    final KafkaSettings kafka = stack.kafkaSettings();
    try (KafkaProducer<String, V> producer =
        new KafkaProducer<>(
            kafka.clientProperties(Map.of()),
            topic.keySerde().serializer(),
            topic.valueSerde(kafka.serdes()).serializer())) {
      producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
    }
  }
}
