package dev.tiergate.accounting;

import static dev.tiergate.accounting.TestData.event;
import static dev.tiergate.accounting.TestData.model;
import static dev.tiergate.accounting.TestData.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.TopicProvisioner;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import dev.tiergate.stack.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service against a real single-node broker: exactly-once transactions, the repartition
 * topic, interactive queries across partitions, the spend topic (read committed) and the DLQ.
 */
class AccountingServiceKafkaTest {

  private static final SerdeFactory SERDES = SerdeFactory.schemaless();
  private static final String GPT = "openai/gpt-5";

  private static EmbeddedKafka kafka;

  @TempDir Path stateDir;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.start();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      new TopicProvisioner(admin).provisionAll();
    }
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @Test
  void accountsUsageFromKafkaAndAnswersOverHttp() throws Exception {
    produce(Topics.MODELS.name(), GPT,
        Topics.MODELS.valueSerde(SERDES).serializer().serialize(
            Topics.MODELS.name(), model(GPT, 1_250_000, 125_000, 10_000_000)));
    produce(Topics.USAGE.name(), "req_bad", "garbage".getBytes(StandardCharsets.UTF_8));
    send(event("req_1", "t", "plan", GPT, usage(1_000, 400, 200, 50)));
    send(event("req_2", "t", "plan", GPT, usage(3, 0, 1, 0)));
    send(event("req_3", "t", "code", GPT, usage(100, 0, 10, 0)));

    final AccountingConfig config = AccountingConfig.defaults(
            KafkaSettings.of(kafka.bootstrapServers(), "http://127.0.0.1:1"))
        .withHost("127.0.0.1")
        .withPort(0)
        .withStateDir(stateDir)
        .withVirtualKeys("key-t=t:balanced");
    try (AccountingService service = new AccountingService(config, SERDES)) {
      service.start();

      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        final JsonNode body = json.readTree(get(service.port(), "/v1/spend?tenant=t&by=mode"));
        assertThat(body.get("totalMicros").asLong()).isEqualTo(3_039);
      });
      final JsonNode body = json.readTree(get(service.port(), "/v1/spend?tenant=t&by=mode"));
      assertThat(body.at("/rows/1/value").asText()).isEqualTo("plan");
      assertThat(body.at("/rows/1/requests").asLong()).isEqualTo(2);
      assertThat(body.at("/rows/1/costMicros").asLong()).isEqualTo(2_814);

      final ConsumerRecord<String, byte[]> published = readOne(Topics.SPEND.name());
      final SpendAggregate update = Topics.SPEND.valueSerde(SERDES).deserializer()
          .deserialize(Topics.SPEND.name(), published.value());
      assertThat(update.getTenant()).isEqualTo("t");
      assertThat(update.getCostMicros()).isPositive();

      final ConsumerRecord<String, byte[]> dead = readOne(Topics.USAGE_DLQ.name());
      assertThat(dead.key()).isEqualTo("req_bad");
      assertThat(TiergateHeaders.get(dead.headers(), TiergateHeaders.DLQ_REASON))
          .hasValueSatisfying(reason -> assertThat(reason).startsWith("undecodable"));
    }
  }

  private void send(final UsageEvent event) {
    produce(Topics.USAGE.name(), event.getCorrelationId(),
        Topics.USAGE.valueSerde(SERDES).serializer().serialize(Topics.USAGE.name(), event));
  }

  private static void produce(final String topic, final String key, final byte[] value) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
        Map.of("bootstrap.servers", kafka.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value));
      producer.flush();
    }
  }

  private static ConsumerRecord<String, byte[]> readOne(final String topic) {
    final Map<String, Object> props = Map.of(
        "bootstrap.servers", kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "accounting-test-" + topic,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return !records.isEmpty();
      });
      return records.get(0);
    }
  }

  private String get(final int port, final String path) throws Exception {
    final HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer key-t")
        .build();
    final HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }
}
