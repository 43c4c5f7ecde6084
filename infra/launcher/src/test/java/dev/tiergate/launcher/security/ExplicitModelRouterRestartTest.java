package dev.tiergate.launcher.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.router.DefaultRoutingTable;
import dev.tiergate.router.RouterConfig;
import dev.tiergate.router.RouterService;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.stack.LocalStack;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's index of models by tier after a restart on its own state directory, on a real
 * broker: the routes store is restored from its checkpoint and topic, and a rule changed while the
 * router was down counts as soon as it is back.
 */
class ExplicitModelRouterRestartTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<String> SMALL_AND_FREE = List.of("small", "free");

  @TempDir static Path dataDir;
  private static LocalStack cluster;

  @BeforeAll
  static void startCluster() {
    cluster = LocalStack.start(dataDir.resolve("kafka"));
    DefaultRoutingTable.load().seed(cluster.kafkaSettings());
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void restartedRouterKnowsWhichTiersServeEachModel() throws Exception {
    final String beforeAllowed;
    final String beforeRefused;
    try (RouterService router = router()) {
      router.start();
      beforeAllowed = produce("openai/gpt-5-mini");
      beforeRefused = produce("openai/gpt-4.1");
      await().atMost(WAIT).until(() -> answered(beforeAllowed) && answered(beforeRefused));
    }
    publish("small/code", new Route("small", "code",
        List.of("openai/gpt-5-nano", "openai/gpt-4.1"), Map.of(), "gpt-4.1 joins the small tier"));

    final String afterAllowed;
    final String afterChanged;
    try (RouterService router = router()) {
      router.start();
      afterAllowed = produce("openai/gpt-5-mini");
      afterChanged = produce("openai/gpt-4.1");
      await().atMost(WAIT).until(() -> answered(afterAllowed) && answered(afterChanged));
    }

    assertThat(find(Topics.ROUTED, beforeAllowed)).as("routed before the restart")
        .extracting(routed -> routed.getDecision().getTier()).isEqualTo("small");
    assertThat(find(Topics.RESPONSES, beforeRefused)).as("refused before the restart")
        .extracting(reply -> reply.getError().getType()).isEqualTo("model_not_allowed");
    assertThat(find(Topics.ROUTED, afterAllowed)).as("routed after the restart")
        .extracting(routed -> routed.getDecision().getTier()).isEqualTo("small");
    assertThat(find(Topics.ROUTED, afterChanged)).as("allowed by the rule changed while down")
        .extracting(routed -> routed.getDecision().getModelChain())
        .isEqualTo(List.of("openai/gpt-4.1"));
  }

  private static RouterService router() {
    final KafkaSettings kafka = cluster.kafkaSettings();
    return new RouterService(RouterConfig.fromEnv(Map.of(
        KafkaSettings.BOOTSTRAP_ENV, kafka.bootstrapServers(),
        KafkaSettings.REGISTRY_ENV, kafka.schemaRegistryUrl(),
        RouterConfig.STATE_DIR.name(), dataDir.resolve("streams").toString(),
        "TIERGATE_ROUTER_PORT", "-1",
        "TIERGATE_ROUTER_PREDICT", "false")), kafka.serdes());
  }

  /** A small/free key's request naming {@code model}; returns its correlation id. */
  private static String produce(final String model) throws Exception {
    final String id = "req_" + UUID.randomUUID().toString().replace("-", "");
    final ChatRequest request = ChatRequest.newBuilder()
        .setCorrelationId(id)
        .setSessionId("sess_" + id)
        .setTenant("acme")
        .setTier("small")
        .setMode("code")
        .setRequestedModel(model)
        .setAllowedTiers(SMALL_AND_FREE)
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT).setText("hello").build())).build()))
        .setReceivedAt(Instant.now())
        .build();
    send(Topics.REQUESTS, request.getSessionId(), request);
    return id;
  }

  private static void publish(final String key, final Route route) throws Exception {
    send(Topics.ROUTES, key, route);
  }

  private static <V> void send(final Topic<V> topic, final String key, final V value)
      throws Exception {
    final KafkaSettings kafka = cluster.kafkaSettings();
    try (KafkaProducer<String, V> producer = new KafkaProducer<>(kafka.clientProperties(Map.of()),
        topic.keySerde().serializer(), topic.valueSerde(kafka.serdes()).serializer())) {
      producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
    }
  }

  /** Whether the router has answered the request: routed it or replied with an error. */
  private static boolean answered(final String correlationId) {
    return find(Topics.ROUTED, correlationId) != null
        || find(Topics.RESPONSES, correlationId) != null;
  }

  /** The last record under {@code key} on the topic, or null. */
  private static <V> V find(final Topic<V> topic, final String key) {
    final KafkaSettings kafka = cluster.kafkaSettings();
    final var props = kafka.clientProperties(Map.of(
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props,
        topic.keySerde().deserializer(), topic.valueSerde(kafka.serdes()).deserializer())) {
      final List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      V found = null;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (final ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(record.key())) {
            found = record.value();
          }
        }
      }
      return found;
    }
  }
}
