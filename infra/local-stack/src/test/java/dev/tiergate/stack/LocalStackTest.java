package dev.tiergate.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.TopicProvisioner;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole stack for real: KRaft broker, packaged registry, serdes and provisioned topics. */
class LocalStackTest {

  private static final String REQUESTS_SUBJECT = Topics.REQUESTS.name() + "-value";
  private static final String SCHEMA_REGISTRY_JSON = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  private static LocalStack stack;
  /** The broker's topics, internal ones too, as the stack left them before any test ran. */
  private static Set<String> topicsAtStart;

  @BeforeAll
  static void startStack() throws Exception {
    stack = LocalStack.start(dataDir);
    try (Admin admin = stack.admin()) {
      topicsAtStart = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void roundTripsChatRequestThroughRegistrySerdes() {
    final ChatRequest sent = chatRequest();

    final RecordMetadata written = produce(sent);
    final ConsumerRecord<String, byte[]> raw = readRaw(written);

    final ChatRequest received =
        serde().deserializer().deserialize(Topics.REQUESTS.name(), raw.value());
    assertThat(raw.key()).isEqualTo(sent.getSessionId());
    assertThat(received).isEqualTo(sent);
  }

  @Test
  void writesConfluentWireFormatWithAnIdTheCcompatApiResolvesToChatRequest() throws Exception {
    final byte[] bytes = readRaw(produce(chatRequest())).value();

    assertThat(bytes[0]).as("magic byte").isZero();
    final int schemaId = ByteBuffer.wrap(bytes, 1, 4).getInt();
    final HttpResponse<String> response = get("/apis/ccompat/v7/schemas/ids/" + schemaId);
    assertThat(response.statusCode()).isEqualTo(200);
    final Schema registered =
        new Schema.Parser().parse(JSON.readTree(response.body()).get("schema").asText());
    assertThat(registered).isEqualTo(ChatRequest.getClassSchema());
  }

  @Test
  void everyRecordOfASerdeCarriesTheRegisteredIdAndDecodesWithTheRegisteredSchema()
      throws Exception {
    // The first record goes through Apicurio's serializer, the next ones through the cached id.
    final List<ChatRequest> sent = List.of(chatRequest(), chatRequest(), chatRequest());
    final Serializer<ChatRequest> serializer = serde().serializer();
    final List<byte[]> payloads =
        sent.stream().map(request -> serializer.serialize(Topics.REQUESTS.name(), request)).toList();

    final Set<Integer> ids =
        payloads.stream().map(bytes -> ByteBuffer.wrap(bytes, 1, 4).getInt()).collect(Collectors.toSet());
    assertThat(payloads).allSatisfy(bytes -> assertThat(bytes[0]).as("magic byte").isZero());
    assertThat(ids).hasSize(1);
    final HttpResponse<String> response = get("/apis/ccompat/v7/schemas/ids/" + ids.iterator().next());
    final Schema registered =
        new Schema.Parser().parse(JSON.readTree(response.body()).get("schema").asText());
    final GenericDatumReader<GenericRecord> independent = new GenericDatumReader<>(registered);
    final Deserializer<ChatRequest> deserializer = serde().deserializer();
    for (int i = 0; i < sent.size(); i++) {
      final byte[] bytes = payloads.get(i);
      final GenericRecord generic =
          independent.read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
      assertThat(generic.get("correlationId")).hasToString(sent.get(i).getCorrelationId());
      assertThat(deserializer.deserialize(Topics.REQUESTS.name(), bytes)).isEqualTo(sent.get(i));
    }
  }

  @Test
  void ccompatApiListsTheSerdeRegisteredSchemaUnderTheTopicSubjectWithTheSameId()
      throws Exception {
    final int wireId = ByteBuffer.wrap(readRaw(produce(chatRequest())).value(), 1, 4).getInt();

    final HttpResponse<String> lookup =
        post(
            "/apis/ccompat/v7/subjects/" + REQUESTS_SUBJECT,
            schemaBody(ChatRequest.getClassSchema()));

    assertThat(lookup.statusCode()).as(lookup.body()).isEqualTo(200);
    assertThat(JSON.readTree(lookup.body()).get("id").asInt()).isEqualTo(wireId);
  }

  @Test
  void registersTheValueSchemaOfEveryCatalogueTopicAtStart() throws Exception {
    final Set<String> expected =
        Topics.ALL.stream()
            .filter(topic -> topic.valueType() != byte[].class)
            .map(topic -> topic.name() + "-value")
            .collect(Collectors.toSet());

    final HttpResponse<String> subjects = get("/apis/ccompat/v7/subjects");

    assertThat(subjects.statusCode()).as(subjects.body()).isEqualTo(200);
    final Set<String> registered = new HashSet<>();
    JSON.readTree(subjects.body()).forEach(subject -> registered.add(subject.asText()));
    assertThat(registered).containsAll(expected);
  }

  @Test
  void rejectsIncompatibleSchemaWith409UnderBackwardCompatibility() throws Exception {
    produce(chatRequest());
    final HttpResponse<String> config =
        put(
            "/apis/ccompat/v7/config/" + REQUESTS_SUBJECT,
            JSON.writeValueAsString(Map.of("compatibility", "BACKWARD")));
    assertThat(config.statusCode()).as(config.body()).isEqualTo(200);

    // A new required field without a default cannot read the data already written.
    final Schema incompatible =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"ChatRequest\",\"namespace\":\"dev.tiergate.schemas\","
                    + "\"fields\":[{\"name\":\"correlationId\",\"type\":\"string\"},"
                    + "{\"name\":\"mustExist\",\"type\":\"string\"}]}");
    final HttpResponse<String> register =
        post("/apis/ccompat/v7/subjects/" + REQUESTS_SUBJECT + "/versions", schemaBody(incompatible));

    assertThat(register.statusCode()).as(register.body()).isEqualTo(409);
  }

  @Test
  void theGroupAndTransactionCoordinatorsAreReadyBeforeAnyServiceStarts() {
    assertThat(topicsAtStart).contains("__consumer_offsets", "__transaction_state");
  }

  @Test
  void provisioningTwiceIsANoOp() {
    try (Admin admin = stack.admin()) {
      final Set<String> created = new TopicProvisioner(admin).provision(Topics.ALL);

      assertThat(created).isEmpty();
      assertThat(topicNames(admin)).containsAll(names(Topics.ALL));
    }
  }

  @Test
  void provisionedTopicsHaveTheCataloguePartitionsCleanupPolicyAndRetention() throws Exception {
    try (Admin admin = stack.admin()) {
      final Map<String, TopicDescription> descriptions =
          admin.describeTopics(names(Topics.ALL)).allTopicNames().get(30, TimeUnit.SECONDS);
      final Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(
                  names(Topics.ALL).stream()
                      .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name))
                      .toList())
              .all()
              .get(30, TimeUnit.SECONDS);

      for (final Topic<?> topic : Topics.ALL) {
        final Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()));
        assertThat(descriptions.get(topic.name()).partitions())
            .as(topic.name())
            .hasSize(topic.partitions());
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
            .as(topic.name())
            .isEqualTo(topic.cleanupPolicy().configValue());
        // Every topic carries what the ingress accepts (BusLimits), not the broker's 1 MiB.
        assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
            .as(topic.name())
            .isEqualTo(String.valueOf(dev.tiergate.schemas.BusLimits.MAX_RECORD_BYTES));
        topic
            .retention()
            .ifPresent(
                retention ->
                    assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value())
                        .as(topic.name())
                        .isEqualTo(String.valueOf(retention.toMillis())));
      }
    }
  }

  @Test
  void exposesSettingsThatPointAtTheRunningStack() {
    assertThat(stack.kafkaSettings().bootstrapServers()).isEqualTo(stack.bootstrapServers());
    assertThat(stack.kafkaSettings().schemaRegistryUrl()).isEqualTo(stack.registryUrl());
    assertThat(stack.kafkaSettings().clientProperties())
        .containsEntry("bootstrap.servers", stack.bootstrapServers());
  }

  private static ChatRequest chatRequest() {
    final String id = UUID.randomUUID().toString();
    return ChatRequest.newBuilder()
        .setCorrelationId("req_" + id)
        .setSessionId("sess_" + id)
        .setTenant("tenant_acme")
        .setMode("code")
        .setMessages(
            List.of(
                Message.newBuilder()
                    .setRole("user")
                    .setParts(
                        List.of(
                            ContentPart.newBuilder()
                                .setType(PartType.TEXT)
                                .setText("rename this variable")
                                .build()))
                    .build()))
        .setReceivedAt(Instant.ofEpochMilli(System.currentTimeMillis()))
        .build();
  }

  private static Serde<ChatRequest> serde() {
    return Topics.REQUESTS.valueSerde(stack.serdes());
  }

  private static RecordMetadata produce(final ChatRequest request) {
    final Map<String, Object> config = Map.of(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, ChatRequest> producer =
        new KafkaProducer<>(
            stack.kafkaSettings().clientProperties(config),
            Topics.REQUESTS.keySerde().serializer(),
            serde().serializer())) {
      return producer
          .send(new ProducerRecord<>(Topics.REQUESTS.name(), request.getSessionId(), request))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("cannot produce to " + Topics.REQUESTS, e);
    }
  }

  /** Reads back exactly the record that was written, as the bytes on the topic. */
  private static ConsumerRecord<String, byte[]> readRaw(final RecordMetadata written) {
    final TopicPartition partition = new TopicPartition(written.topic(), written.partition());
    final Map<String, Object> config =
        Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            stack.kafkaSettings().clientProperties(config),
            Topics.REQUESTS.keySerde().deserializer(),
            new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seek(partition, written.offset());
      final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
              });
      return records.get(0);
    }
  }

  private static Set<String> topicNames(final Admin admin) {
    try {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("cannot list topics", e);
    }
  }

  private static Set<String> names(final List<Topic<?>> topics) {
    return topics.stream().map(Topic::name).collect(Collectors.toSet());
  }

  private static String schemaBody(final Schema schema) throws IOException {
    return JSON.writeValueAsString(Map.of("schema", schema.toString()));
  }

  private static HttpResponse<String> get(final String path) throws Exception {
    return send(HttpRequest.newBuilder(registry(path)).GET());
  }

  private static HttpResponse<String> post(final String path, final String body) throws Exception {
    return send(
        HttpRequest.newBuilder(registry(path))
            .header("Content-Type", SCHEMA_REGISTRY_JSON)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> put(final String path, final String body) throws Exception {
    return send(
        HttpRequest.newBuilder(registry(path))
            .header("Content-Type", SCHEMA_REGISTRY_JSON)
            .PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> send(final HttpRequest.Builder request) throws Exception {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI registry(final String path) {
    return URI.create(stack.registryUrl() + path);
  }
}
