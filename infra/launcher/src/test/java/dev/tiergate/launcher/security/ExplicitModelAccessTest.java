package dev.tiergate.launcher.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.TiergateCli;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
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
import picocli.CommandLine;

/**
 * Explicit {@code provider/model} ids attacked from outside, on the whole embedded stack (broker,
 * registry, simulator, every service), with keys made by the CLI: a key gets the models of the
 * tiers it may use and of its own allow-list, nothing else, in every API's error shape; the tier it
 * is told is the one the model serves; one tenant cannot steer another's session; and a model the
 * catalogue lacks never reaches a provider. Anonymous access is on, as {@code
 * TIERGATE_ANONYMOUS_TENANT} turns it on.
 */
class ExplicitModelAccessTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String CHAT = "/v1/chat/completions";
  private static final String MESSAGES = "/v1/messages";
  private static final String OPENROUTER = "/api/openrouter/v1/chat/completions";

  @TempDir static Path dataDir;
  private static TiergateStack stack;
  private static String smallKey;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, WAIT)
        .withServiceEnv(Map.of("TIERGATE_ANONYMOUS_TENANT", "anon")));
    smallKey = createKey("acme", "small", "small,free");
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void smallTierKeyCannotNameAFrontierModel() {
    // OpenAI, Anthropic and OpenRouter shapes; the virtual tier id stays refused by the ingress.
    final long gpt5Calls = stack.simulator().calls("gpt-5");

    final HttpResponse<String> chat = send(CHAT, smallKey, chatBody("openai/gpt-5"), Map.of());
    final HttpResponse<String> messages =
        send(MESSAGES, smallKey, messagesBody("openai/gpt-5"), Map.of());
    final HttpResponse<String> openRouter =
        send(OPENROUTER, smallKey, chatBody("openai/gpt-5"), Map.of());
    final HttpResponse<String> virtual = send(CHAT, smallKey, chatBody("auto/frontier"), Map.of());

    assertThat(chat.statusCode()).isEqualTo(403);
    assertThat(read(chat).at("/error/type").asText()).isEqualTo("permission_error");
    assertThat(read(chat).at("/error/code").asText()).isEqualTo("model_not_allowed");
    assertThat(read(chat).at("/error/message").asText()).contains("openai/gpt-5");
    assertThat(messages.statusCode()).isEqualTo(403);
    assertThat(read(messages).at("/type").asText()).isEqualTo("error");
    assertThat(read(messages).at("/error/type").asText()).isEqualTo("permission_error");
    assertThat(read(messages).at("/error/code").asText()).isEqualTo("model_not_allowed");
    assertThat(openRouter.statusCode()).isEqualTo(403);
    assertThat(read(openRouter).at("/error/code").asText()).isEqualTo("model_not_allowed");
    assertThat(virtual.statusCode()).isEqualTo(403);
    assertThat(read(virtual).at("/error/code").asText()).isEqualTo("tier_not_allowed");
    assertThat(stack.simulator().calls("gpt-5")).isEqualTo(gpt5Calls);
  }

  @Test
  void explicitModelReportsTheTierItServes() {
    final String everyTier = createKey("acme", "free", null);

    final HttpResponse<String> frontier = send(CHAT, everyTier, chatBody("openai/gpt-5"), Map.of());
    final HttpResponse<String> small =
        send(CHAT, smallKey, chatBody("openai/gpt-5-mini"), Map.of());

    assertThat(frontier.statusCode()).isEqualTo(200);
    assertThat(frontier.headers().firstValue("x-tiergate-model")).contains("openai/gpt-5");
    assertThat(frontier.headers().firstValue("x-tiergate-tier")).contains("frontier");
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(small.headers().firstValue("x-tiergate-model")).contains("openai/gpt-5-mini");
    assertThat(small.headers().firstValue("x-tiergate-tier")).contains("small");
  }

  @Test
  void allowListedModelIsServed() {
    final String key = createKey("acme", "small", "small,free", "--models", "openai/gpt-5");

    final HttpResponse<String> listed = send(CHAT, key, chatBody("openai/gpt-5"), Map.of());
    final HttpResponse<String> unlisted = send(CHAT, key, chatBody("openai/gpt-4.1"), Map.of());

    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(listed.headers().firstValue("x-tiergate-model")).contains("openai/gpt-5");
    assertThat(listed.headers().firstValue("x-tiergate-tier")).contains("frontier");
    assertThat(unlisted.statusCode()).isEqualTo(403);
    assertThat(read(unlisted).at("/error/code").asText()).isEqualTo("model_not_allowed");
    assertThat(cli("keys", "list")).contains(key.substring(0, 11)).contains("openai/gpt-5");
  }

  @Test
  void anonymousTenantCannotNameAFrontierModel() {
    final HttpResponse<String> served = send(CHAT, null, chatBody("auto"), Map.of());
    final HttpResponse<String> frontier = send(CHAT, null, chatBody("openai/gpt-5"), Map.of());

    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(frontier.statusCode()).isEqualTo(403);
    assertThat(read(frontier).at("/error/code").asText()).isEqualTo("model_not_allowed");
  }

  /**
   * Tenant B sends tenant A's session id after A was served by gpt-5 on frontier/debug. Had B's
   * gpt-4.1 become A's session model, A's next debug request would stick to it (gpt-4.1 is not
   * twice as dear as gpt-5); A's session must be untouched.
   */
  @Test
  void tenantCannotMoveAnotherTenantsSession() {
    final String alpha = createKey("alpha", "frontier", null);
    final String beta = createKey("beta", "frontier", null);
    final String session = "task-" + UUID.randomUUID();
    final Map<String, String> debug =
        Map.of("x-kilocode-taskid", session, "x-kilocode-mode", "debug");

    final HttpResponse<String> first = send(CHAT, alpha, chatBody("auto/frontier"), debug);
    final HttpResponse<String> intruder = send(CHAT, beta, chatBody("openai/gpt-4.1"), debug);
    final HttpResponse<String> again = send(CHAT, alpha, chatBody("auto/frontier"), debug);

    assertThat(first.headers().firstValue("x-tiergate-model")).contains("openai/gpt-5");
    assertThat(intruder.headers().firstValue("x-tiergate-model")).contains("openai/gpt-4.1");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.headers().firstValue("x-tiergate-model")).contains("openai/gpt-5");
  }

  /**
   * A request that got past an ingress whose catalogue was not loaded yet (produced straight onto
   * the requests topic), naming a model its key allow-lists but the catalogue lacks.
   */
  @Test
  void modelMissingFromCatalogueIsNeverCalled() throws Exception {
    final String id = "req_" + UUID.randomUUID().toString().replace("-", "");
    final ChatRequest request = ChatRequest.newBuilder()
        .setCorrelationId(id)
        .setSessionId("sess_" + id)
        .setTenant("acme")
        .setTier("small")
        .setRequestedModel("openai/gpt-9-preview")
        .setAllowedTiers(List.of("free", "small"))
        .setAllowedModels(List.of("openai/gpt-9-preview"))
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT).setText("hello").build())).build()))
        .setReceivedAt(Instant.now())
        .build();
    produce(request);

    final ChatResponse reply = await().atMost(WAIT).until(() -> response(id), r -> r != null);

    assertThat(reply.getError()).isNotNull();
    assertThat(reply.getError().getType()).isEqualTo("model_not_found");
    assertThat(reply.getError().getHttpStatus()).isEqualTo(404);
    assertThat(stack.simulator().calls("gpt-9-preview")).isZero();
  }

  // --- helpers ---

  /** A key made by the CLI, once the ingress knows it; {@code allowedTiers} null means all. */
  private static String createKey(
      final String tenant, final String defaultTier, final String allowedTiers,
      final String... extra) {
    final List<String> args = new ArrayList<>(
        List.of("keys", "create", "--tenant", tenant, "--default-tier", defaultTier));
    if (allowedTiers != null) {
      args.addAll(List.of("--allowed-tiers", allowedTiers));
    }
    args.addAll(List.of(extra));
    final String key = cli(args.toArray(String[]::new)).trim();
    await().atMost(WAIT).until(
        () -> send(CHAT, key, chatBody("auto"), Map.of()).statusCode() != 401);
    return key;
  }

  private static String cli(final String... args) {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(
        "--bootstrap-servers", stack.kafkaSettings().bootstrapServers(),
        "--registry-url", stack.kafkaSettings().schemaRegistryUrl()));
    final int exit = TiergateCli.commandLine()
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
    assertThat(exit).as("exit code of %s: %s", List.of(args), err).isZero();
    return out.toString();
  }

  private static String chatBody(final String model) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  private static String messagesBody(final String model) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":64,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  /** POSTs {@code body}; the key goes as a bearer token (chat) or {@code x-api-key} (messages). */
  private static HttpResponse<String> send(
      final String path, final String key, final String body, final Map<String, String> headers) {
    final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.ingressUrl() + path))
        .timeout(WAIT)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null && path.equals(MESSAGES)) {
      request.header("x-api-key", key).header("anthropic-version", "2023-06-01");
    } else if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    headers.forEach(request::header);
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode read(final HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(response.body(), e);
    }
  }

  private static void produce(final ChatRequest request) throws Exception {
    final var settings = stack.kafkaSettings();
    try (KafkaProducer<String, ChatRequest> producer = new KafkaProducer<>(
        settings.clientProperties(Map.of()),
        Topics.REQUESTS.keySerde().serializer(),
        Topics.REQUESTS.valueSerde(settings.serdes()).serializer())) {
      producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), request.getSessionId(), request))
          .get();
    }
  }

  /** The reply with this correlation id on the responses topic, or null when there is none yet. */
  private static ChatResponse response(final String correlationId) {
    final var settings = stack.kafkaSettings();
    final var props = settings.clientProperties(Map.of(
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    try (KafkaConsumer<String, ChatResponse> consumer = new KafkaConsumer<>(props,
        Topics.RESPONSES.keySerde().deserializer(),
        Topics.RESPONSES.valueSerde(settings.serdes()).deserializer())) {
      final List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESPONSES.name()).stream()
          .map(info -> new TopicPartition(info.topic(), info.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      final AtomicReference<ChatResponse> found = new AtomicReference<>();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (final ConsumerRecord<String, ChatResponse> record : consumer.poll(Duration.ofMillis(200))) {
          if (correlationId.equals(record.key())) {
            found.set(record.value());
          }
        }
      }
      return found.get();
    }
  }
}
