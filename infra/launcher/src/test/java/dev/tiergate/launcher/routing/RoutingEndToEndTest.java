package dev.tiergate.launcher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.launcher.ClusterOptions;
import dev.tiergate.launcher.TiergateCli;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.Topics;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The routing commands against the real stack (embedded broker, registry, simulator, all
 * services): {@code routes show}, {@code models apply} and {@code routes apply} change how the
 * running router routes the next request, and a bad file is refused without changing anything.
 */
class RoutingEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(30)));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void showsTheSeededDefaultTable() {
    final Run show = cli("routes", "show");

    assertThat(show.exit()).isZero();
    assertThat(show.out())
        .containsPattern("frontier/plan\\s+anthropic/claude-sonnet-4\\.5 > openai/gpt-5")
        .containsPattern("small/commit-message\\s+openai/gpt-5-nano");
  }

  @Test
  void refusesARulesFileNamingAnUnknownModelAndChangesNothing() throws Exception {
    final Path bad = dataDir.resolve("bad-routes.yaml");
    Files.writeString(bad, """
        tiers:
          balanced:
            default: {models: [openai/gpt-5-mini]}
            rules:
              - modes: [ask]
                models: [openai/no-such-model]
        """);
    final Path malformed = dataDir.resolve("malformed-routes.yaml");
    Files.writeString(malformed, "tiers:\n  balanced:\n    rules: []\n");

    final Run unknownModel = cli("routes", "apply", bad.toString());
    final Run noDefault = cli("routes", "apply", malformed.toString());

    assertThat(unknownModel.exit()).isEqualTo(2);
    assertThat(unknownModel.err())
        .contains("nothing changed")
        .contains("rule balanced/ask names openai/no-such-model, which is not in the catalogue");
    assertThat(noDefault.exit()).isEqualTo(2);
    assertThat(noDefault.err()).contains("tier balanced has no default rule");
    assertThat(cli("routes", "show").out())
        .containsPattern("balanced/ask\\s+openai/gpt-5-mini > anthropic/claude-haiku-4\\.5");
  }

  @Test
  void appliedModelAndRuleRouteTheNextRequest() throws Exception {
    final Path models = dataDir.resolve("models.yaml");
    Files.writeString(models, """
        models:
          - id: local/qwen-2.5
            provider: local
            upstreamModel: qwen-2.5
            family: qwen
            inputMicrosPerMillion: 0
            outputMicrosPerMillion: 0
            contextWindow: 32000
            capabilities: [streaming]
        """);
    final Path routes = dataDir.resolve("routes.yaml");
    Files.writeString(routes, """
        tiers:
          small:
            default: {models: [openai/gpt-5-nano]}
            rules:
              - modes: [review]
                models: [local/qwen-2.5, openai/gpt-5-nano]
                params: {reasoning_effort: low}
        """);

    final Run modelsApplied = cli("models", "apply", models.toString());
    final Run routesApplied = cli("routes", "apply", routes.toString());

    assertThat(modelsApplied.exit()).as(modelsApplied.err()).isZero();
    assertThat(routesApplied.exit()).as(routesApplied.err()).isZero();
    assertThat(routesApplied.out()).contains("applied 2 rules to tiergate.routes: small/*, small/review");
    assertThat(cli("models", "show").out()).containsPattern("local/qwen-2.5\\s+qwen");
    // Produced straight to tiergate.requests and read back from tiergate.routed: the router's
    // decision on the real broker and registry, whatever the providers do.
    await().atMost(WAIT).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      final String requestId = produceRequest("review", "small", "Review this diff");
      final RoutingDecision decision = await().atMost(WAIT)
          .until(() -> routedDecision(requestId), Objects::nonNull);
      assertThat(decision.getRuleKey()).isEqualTo("small/review");
      assertThat(decision.getModelChain()).containsExactly("local/qwen-2.5", "openai/gpt-5-nano");
      assertThat(decision.getParams()).containsEntry("reasoning_effort", "low");
    });
  }

  @Test
  void aRequestWithoutAModeSaysThePredictorChoseItsTier() throws Exception {
    final HttpResponse<String> reply = chat("auto/frontier", null, false);

    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(header(reply, "x-tiergate-mode-source")).isEqualTo("predicted");
    assertThat(header(reply, "x-tiergate-mode")).isEqualTo("none");
    final String tier = header(reply, "x-tiergate-tier");
    assertThat(tier).isIn("frontier", "balanced", "small");
    assertThat(header(reply, "x-tiergate-rule")).isEqualTo(tier + "/*");
    assertThat(header(reply, "x-tiergate-model")).isNotBlank();
    // The headers say what the router decided on the real broker: the routed record agrees.
    final RoutingDecision decision = await().atMost(WAIT)
        .until(() -> routedDecision(header(reply, "x-tiergate-request-id")), Objects::nonNull);
    assertThat(decision.getPredicted()).isTrue();
    assertThat(decision.getTier()).isEqualTo(tier);
  }

  @Test
  void aRequestWithAModeSaysTheModeWasGiven() throws Exception {
    final HttpResponse<String> reply = chat("auto/balanced", "code", false);

    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(header(reply, "x-tiergate-mode-source")).isEqualTo("given");
    assertThat(header(reply, "x-tiergate-mode")).isEqualTo("code");
    assertThat(header(reply, "x-tiergate-tier")).isEqualTo("balanced");
    assertThat(header(reply, "x-tiergate-rule")).isEqualTo("balanced/code");
  }

  @Test
  void anAgentsTitleCallIsServedOnTheSmallTierWithAnInferredMode() throws Exception {
    final String body = "{\"model\":\"auto/frontier\",\"max_tokens\":40,\"messages\":["
        + "{\"role\":\"system\",\"content\":\"You are a title generator: name the chat thread in "
        + "a few words.\"},"
        + "{\"role\":\"user\",\"content\":\"why does the gradle build miss a symbol?\"}]}";
    final HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(
            URI.create(stack.ingressUrl() + "/v1/chat/completions"))
        .timeout(WAIT)
        .header("content-type", "application/json")
        .header("authorization", "Bearer tg-demo-key")
        .header("x-kilocode-mode", "code")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(header(reply, "x-tiergate-mode-source")).isEqualTo("inferred");
    assertThat(header(reply, "x-tiergate-mode")).isEqualTo("title");
    assertThat(header(reply, "x-tiergate-tier")).isEqualTo("small");
    assertThat(header(reply, "x-tiergate-rule")).isEqualTo("small/title");
    assertThat(header(reply, "x-tiergate-model")).contains("gpt-5-nano");
  }

  @Test
  void aStreamedReplyCarriesTheSameDecisionHeaders() throws Exception {
    final HttpResponse<String> given = chat("auto/balanced", "code", true);
    final HttpResponse<String> predicted = chat("auto/frontier", null, true);

    assertThat(given.statusCode()).as(given.body()).isEqualTo(200);
    assertThat(given.body()).contains("data: [DONE]");
    assertThat(header(given, "x-tiergate-mode-source")).isEqualTo("given");
    assertThat(header(given, "x-tiergate-mode")).isEqualTo("code");
    assertThat(header(given, "x-tiergate-tier")).isEqualTo("balanced");
    assertThat(header(given, "x-tiergate-rule")).isEqualTo("balanced/code");
    assertThat(predicted.statusCode()).as(predicted.body()).isEqualTo(200);
    assertThat(header(predicted, "x-tiergate-mode-source")).isEqualTo("predicted");
    assertThat(header(predicted, "x-tiergate-mode")).isEqualTo("none");
    final String tier = header(predicted, "x-tiergate-tier");
    assertThat(tier).isIn("frontier", "balanced", "small");
    assertThat(header(predicted, "x-tiergate-rule")).isEqualTo(tier + "/*");
  }

  private static HttpResponse<String> chat(final String model, final String mode, final boolean stream)
      throws Exception {
    final String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":"
        + "\"Prove that the square root of two is irrational, step by step.\"}]}";
    final HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create(stack.ingressUrl() + "/v1/chat/completions"))
        .timeout(WAIT)
        .header("content-type", "application/json")
        .header("authorization", "Bearer tg-demo-key")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (mode != null) {
      request.header("x-tiergate-mode", mode);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(final HttpResponse<String> reply, final String name) {
    return reply.headers().firstValue(name).orElse(null);
  }

  private static RoutingDecision routedDecision(final String requestId) {
    final RoutingCluster cluster = new RoutingCluster(ClusterOptions.of(
        stack.kafkaSettings().bootstrapServers(), stack.kafkaSettings().schemaRegistryUrl()));
    final RoutedRequest routed = cluster.read(Topics.ROUTED).get(requestId);
    return routed == null ? null : routed.getDecision();
  }

  private static String produceRequest(final String mode, final String tier, final String prompt)
      throws Exception {
    final String id = "req_" + UUID.randomUUID().toString().replace("-", "");
    final ChatRequest request = ChatRequest.newBuilder()
        .setCorrelationId(id)
        .setSessionId("sess_routing_e2e_" + id)
        .setTenant("demo")
        .setMode(mode)
        .setTier(tier)
        .setMessages(List.of(Message.newBuilder().setRole("user").setParts(List.of(
            ContentPart.newBuilder().setType(PartType.TEXT).setText(prompt).build())).build()))
        .setReceivedAt(Instant.now())
        .build();
    final var settings = stack.kafkaSettings();
    try (KafkaProducer<String, ChatRequest> producer = new KafkaProducer<>(
        settings.clientProperties(Map.of()),
        Topics.REQUESTS.keySerde().serializer(),
        Topics.REQUESTS.valueSerde(settings.serdes()).serializer())) {
      producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), request.getSessionId(), request))
          .get();
    }
    return id;
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(final String... args) {
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
    return new Run(exit, out.toString(), err.toString());
  }
}
