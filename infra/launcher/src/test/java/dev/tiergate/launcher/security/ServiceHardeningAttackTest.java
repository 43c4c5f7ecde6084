package dev.tiergate.launcher.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tiergate.accounting.AccountingConfig;
import dev.tiergate.accounting.AccountingService;
import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.ingress.IngressService;
import dev.tiergate.launcher.TiergateStack;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.VirtualKeySpec;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import dev.tiergate.stack.simulator.ProviderSimulator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The service-level attacks of issue 13 (points 2, 7, 8 and 9), tried from outside on the embedded
 * stack: real broker, registry, services and HTTP, with the provider simulator as the providers
 * and a recording HTTP server as the host an attacker wants requests sent to.
 */
class ServiceHardeningAttackTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String DEMO_KEY = TiergateStack.DEMO_KEY;
  /** Catalogue ids this class adds; the upstream names are what the simulator sees. */
  private static final String FAILING_500 = "openai/attack-fail-500";
  private static final String FAILING_400 = "openai/attack-fail-400";
  private static final String GEMINI_ALIAS = "google/attack-gemini-alias";
  private static final String GEMINI_UPSTREAM = "gemini-2.5-flash";

  @TempDir static Path dataDir;
  private static TiergateStack stack;

  @BeforeAll
  static void startStack() throws Exception {
    stack = TiergateStack.start(new TiergateStack.Options(dataDir, 0, 0, Duration.ofSeconds(30)));
    // Routed by mode, so no explicit model id is needed: the attacks work through routing rules.
    publish(Topics.MODELS, FAILING_500, model(FAILING_500, "openai", ProviderSimulator.FAILING_MODEL_PREFIX + "500"));
    publish(Topics.MODELS, FAILING_400, model(FAILING_400, "openai", ProviderSimulator.FAILING_MODEL_PREFIX + "400"));
    publish(Topics.MODELS, GEMINI_ALIAS, model(GEMINI_ALIAS, "google", GEMINI_UPSTREAM));
    route("attack-fail-500", FAILING_500);
    route("attack-fail-400", FAILING_400);
    route("attack-gemini", GEMINI_ALIAS);
    // Every service reads these tables on its own; the gemini route served end to end means the
    // router and dispatcher have them.
    await().atMost(WAIT).until(() -> {
      final HttpResponse<String> probe = chat("attack-gemini");
      return probe.statusCode() == 200
          && probe.headers().firstValue("x-tiergate-model").orElse("").equals(GEMINI_ALIAS);
    });
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  // ------------------------------------------------------------------ point 2: no well-known key

  @Test
  void serviceRefusesToStartWithoutKeysOutsideDemo() throws Exception {
    final Map<String, String> env = new HashMap<>(stack.serviceEnv());
    env.remove(VirtualKeySpec.DEMO_MODE.name());
    env.remove(VirtualKeySpec.TABLE.name());
    env.put(IngressConfig.PORT.name(), "0");
    env.put(IngressConfig.METRICS_PORT.name(), "-1");
    final SerdeFactory serdes = stack.kafkaSettings().serdes();

    try (IngressService ingress = new IngressService(IngressConfig.fromEnv(env), serdes)) {
      assertThatThrownBy(ingress::start)
          .hasMessageContaining("no virtual keys configured")
          .hasMessageContaining("TIERGATE_VIRTUAL_KEYS")
          .hasMessageNotContaining("\n");
    }
    final AccountingConfig accounting = AccountingConfig.fromEnv(env)
        .withApplicationId("attack-accounting-" + UUID.randomUUID())
        .withStateDir(dataDir.resolve("attack-accounting-keys"))
        .withPort(0)
        .withMetricsPort(-1);
    try (AccountingService service = new AccountingService(accounting, serdes)) {
      assertThatThrownBy(service::start)
          .hasMessageContaining("no virtual keys configured")
          .hasMessageNotContaining("\n");
    }
    // The same service in demo mode starts, with the well-known key.
    env.put(VirtualKeySpec.DEMO_MODE.name(), "true");
    try (IngressService demo = new IngressService(IngressConfig.fromEnv(env), serdes)) {
      demo.start();
      assertThat(get("http://127.0.0.1:" + demo.port() + "/v1/models", DEMO_KEY).statusCode()).isEqualTo(200);
    }
  }

  // ------------------------------------------------------------------ point 7: accounting forwarding

  @Test
  void forwardingRefusesAbsoluteFormTargets() throws Exception {
    final List<String> attackerSaw = new CopyOnWriteArrayList<>();
    final DisposableServer attacker = HttpServer.create().host("127.0.0.1").port(0)
        .handle((request, response) -> {
          attackerSaw.add(request.uri() + " " + request.requestHeaders().get("authorization"));
          return response.sendString(Mono.just("{\"rows\":[],\"stolen\":true}"));
        })
        .bindNow(Duration.ofSeconds(10));
    // A second instance of the stack's accounting app: one of the two does not own tenant demo
    // and forwards its queries to the other.
    final AccountingConfig second = AccountingConfig.fromEnv(stack.serviceEnv())
        .withStateDir(dataDir.resolve("accounting-second"))
        .withPort(0)
        .withMetricsPort(-1);
    try (AccountingService other = new AccountingService(second, stack.kafkaSettings().serdes())) {
      other.start();
      final List<Integer> ports = List.of(accountingPort(), other.port());
      await().atMost(WAIT).until(() -> ports.stream().allMatch(port -> spendStatus(port, "x-api-key") == 200));

      final String evil = "127.0.0.1:" + attacker.port();
      for (final int port : ports) {
        for (final String target : List.of("http://" + evil + "/v1/spend", "@" + evil + "/v1/spend?by=mode")) {
          assertThat(rawGet(port, target, "GET " + target)).as(target).startsWith("HTTP/1.1 400");
        }
        // Origin-form queries keep working from either instance, with either key header.
        assertThat(spendStatus(port, "authorization")).isEqualTo(200);
        assertThat(spendStatus(port, "x-api-key")).isEqualTo(200);
      }
      assertThat(attackerSaw).isEmpty();
    } finally {
      attacker.disposeNow();
    }
  }

  // ------------------------------------------------------------------ point 8: ops endpoints

  @Test
  void halfSentHeaderDoesNotBlockHealth() throws Exception {
    final List<String> health = List.of(
        stack.routerHealthUrl().orElseThrow(),
        stack.dispatcherMetricsUrl().orElseThrow().replace("/metrics", "/health"));
    for (final String url : health) {
      final URI uri = URI.create(url);
      try (Socket stalled = new Socket(uri.getHost(), uri.getPort())) {
        stalled.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        stalled.getOutputStream().flush();

        final HttpResponse<String> answer = HTTP.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).as(url).isEqualTo(200);
      }
    }
  }

  // ------------------------------------------------------------------ point 9: provider errors

  @Test
  void providerErrorTextNeverReachesTheClient() throws Exception {
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    try {
      final HttpResponse<String> failed = chat("attack-fail-500");
      // 400 comes only from the provider's answer: once seen, the dispatcher called the model.
      final HttpResponse<String> rejected = await().atMost(WAIT)
          .until(() -> chat("attack-fail-400"), response -> response.statusCode() == 400);

      assertThat(failed.statusCode()).isEqualTo(502);
      for (final HttpResponse<String> response : List.of(failed, rejected)) {
        final String requestId = response.headers().firstValue("x-tiergate-request-id").orElseThrow();
        assertThat(response.body())
            .contains(requestId)
            .doesNotContain("org-sim-4242", "simulated-provider.internal", "Simulated failure", "sim-fail");
      }
      // The raw text is in the log, for the operator, without the provider key.
      await().atMost(WAIT).untilAsserted(() -> assertThat(lines(logs))
          .anySatisfy(line -> assertThat(line).contains(ProviderSimulator.LEAKY_ERROR_DETAIL)));
      assertThat(lines(logs)).noneSatisfy(line -> assertThat(line).contains(TiergateStack.SIMULATED_PROVIDER_KEY));
    } finally {
      root.detachAppender(logs);
    }
  }

  @Test
  void geminiAdapterCallsTheUpstreamModel() throws Exception {
    final long upstreamBefore = stack.simulator().calls(GEMINI_UPSTREAM);

    final HttpResponse<String> response = chat("attack-gemini");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-tiergate-model")).contains(GEMINI_ALIAS);
    assertThat(stack.simulator().calls(GEMINI_UPSTREAM)).isEqualTo(upstreamBefore + 1);
    assertThat(stack.simulator().calls("attack-gemini-alias")).isZero();
  }

  @Test
  void ingressIsNotReadyUntilTablesAreRead() throws Exception {
    final KafkaSettings kafka = stack.kafkaSettings();
    final SerdeFactory serdes = kafka.serdes();
    final CountDownLatch catalogueReadable = new CountDownLatch(1);
    final IngressConfig config = IngressConfig.fromEnv(stack.serviceEnv()).withPort(0).withMetricsPort(0);
    try (IngressService ingress = new IngressService(config,
        new KafkaProducer<>(props(kafka), Topics.REQUESTS.keySerde().serializer(),
            Topics.REQUESTS.valueSerde(serdes).serializer()),
        consumer(Topics.RESPONSES, serdes, open()),
        consumer(Topics.RESPONSE_CHUNKS, serdes, open()),
        new LiveTable<>(consumer(Topics.VIRTUAL_KEYS, serdes, open()), Topics.VIRTUAL_KEYS.name()),
        // A catalogue reader held back, as a slow start after a restart would be.
        new LiveTable<>(consumer(Topics.MODELS, serdes, catalogueReadable), Topics.MODELS.name()),
        new LiveTable<>(consumer(Topics.ROUTES, serdes, open()), Topics.ROUTES.name()),
        new KafkaProducer<>(props(kafka), new ByteArraySerializer(), new ByteArraySerializer()))) {
      ingress.start();
      final String base = "http://127.0.0.1:" + ingress.port();

      assertThat(get(base + "/ready", null).statusCode()).isEqualTo(503);
      assertThat(get("http://127.0.0.1:" + ingress.metricsPort() + "/ready", null).statusCode()).isEqualTo(503);
      final HttpResponse<String> early = post(base, "openai/no-such-model", Map.of());
      assertThat(early.statusCode()).isEqualTo(503);
      assertThat(early.body()).contains("not_ready");

      catalogueReadable.countDown();
      await().atMost(WAIT).until(() -> get(base + "/ready", null).statusCode() == 200);
      // Now the catalogue is complete, a model missing from it is known to be missing.
      assertThat(post(base, "openai/no-such-model", Map.of()).statusCode()).isEqualTo(404);
    }
  }

  // ------------------------------------------------------------------ helpers

  private static HttpResponse<String> chat(final String mode) throws Exception {
    return post(stack.ingressUrl(), "auto/frontier", Map.of("x-tiergate-mode", mode));
  }

  private static HttpResponse<String> post(final String base, final String model, final Map<String, String> headers)
      throws Exception {
    final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(WAIT)
        .header("authorization", "Bearer " + DEMO_KEY)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"attack\"}]}"));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(final String url, final String key) throws Exception {
    final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (key != null) {
      request.header("authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int accountingPort() {
    return URI.create(stack.accountingUrl()).getPort();
  }

  private static int spendStatus(final int port, final String keyHeader) {
    try {
      final HttpRequest request = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v1/spend?by=mode&window=day"))
          .timeout(Duration.ofSeconds(15))
          .header(keyHeader, keyHeader.equals("authorization") ? "Bearer " + DEMO_KEY : DEMO_KEY)
          .build();
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** One request written by hand, so the request target is exactly what an attacker sends. */
  private static String rawGet(final int port, final String target, final String requestLine) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      final OutputStream out = socket.getOutputStream();
      out.write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + DEMO_KEY
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      final InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static List<String> lines(final ListAppender<ILoggingEvent> logs) {
    synchronized (logs.list) {
      return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private static Properties props(final KafkaSettings kafka) {
    final Properties props = new Properties();
    props.putAll(kafka.clientProperties(Map.of()));
    return props;
  }

  /**
   * A group-less consumer whose polls fetch nothing until {@code readable} opens (each waits for
   * it up to the poll timeout, then returns no records, as an idle poll would).
   */
  private static <V> KafkaConsumer<String, V> consumer(
      final Topic<V> topic, final SerdeFactory serdes, final CountDownLatch readable) {
    final Properties props = props(stack.kafkaSettings());
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    props.remove("group.id");
    return new KafkaConsumer<>(props, topic.keySerde().deserializer(), topic.valueSerde(serdes).deserializer()) {
      @Override
      public ConsumerRecords<String, V> poll(final Duration timeout) {
        try {
          if (!readable.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return ConsumerRecords.empty();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return ConsumerRecords.empty();
        }
        return super.poll(timeout);
      }
    };
  }

  private static CountDownLatch open() {
    return new CountDownLatch(0);
  }

  private static ModelSpec model(final String id, final String provider, final String upstream) {
    return ModelSpec.newBuilder()
        .setId(id).setProvider(provider).setUpstreamModel(upstream).setFamily(upstream)
        .setInputMicrosPerMillion(1_000_000L).setOutputMicrosPerMillion(2_000_000L)
        .setContextWindow(200_000).setCapabilities(List.of("tools", "streaming"))
        .build();
  }

  private static void route(final String mode, final String model) throws Exception {
    publish(Topics.ROUTES, "frontier/" + mode, new Route("frontier", mode, List.of(model), Map.of(), "attack test"));
  }

  private static <V> void publish(final Topic<V> topic, final String key, final V value) throws Exception {
    final KafkaSettings settings = stack.kafkaSettings();
    try (KafkaProducer<String, V> producer = new KafkaProducer<>(settings.clientProperties(Map.of()),
        topic.keySerde().serializer(), topic.valueSerde(settings.serdes()).serializer())) {
      producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
    }
  }
}
