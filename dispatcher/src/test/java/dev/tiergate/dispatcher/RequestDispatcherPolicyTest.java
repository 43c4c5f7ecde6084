package dev.tiergate.dispatcher;

import static dev.tiergate.dispatcher.FakeOpenAi.Reply;
import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.message;
import static dev.tiergate.dispatcher.TestRequests.routed;
import static dev.tiergate.dispatcher.TestRequests.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.provider.GuardSettings;
import dev.tiergate.dispatcher.provider.HttpSettings;
import dev.tiergate.dispatcher.provider.KeyStore;
import dev.tiergate.dispatcher.provider.ProviderClient;
import dev.tiergate.dispatcher.provider.ProviderEndpoint;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.ProviderGuards;
import dev.tiergate.dispatcher.provider.Providers;
import dev.tiergate.dispatcher.provider.RetryPolicy;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** BYOK keys, reasoning hygiene and circuit breakers, through the dispatcher against a local server. */
class RequestDispatcherPolicyTest {

  private static final String PLATFORM_KEY = "sk-platform-0000secret";
  private static final String ACME_KEY = "sk-byok-acme-1111secret";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final SerdeFactory serdes = SerdeFactory.schemaless();
  private FakeOpenAi server;
  private MockProducer<String, byte[]> producer;
  private Published published;
  private ProviderClient client;
  private ProviderGuards guards;

  @BeforeEach
  void setUp() {
    server = new FakeOpenAi();
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    published = new Published(producer, serdes);
    client = new ProviderClient(new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(15), 8));
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private RequestDispatcher dispatcher(final KeyStore keys, final GuardSettings guardSettings) {
    guards = new ProviderGuards(guardSettings);
    final List<ProviderEndpoint> endpoints =
        List.of(
            new ProviderEndpoint("openai", URI.create(server.baseUrl()), Optional.of(PLATFORM_KEY), ProviderFormat.OPENAI),
            new ProviderEndpoint("backup", URI.create(server.baseUrl()), Optional.empty(), ProviderFormat.OPENAI_COMPATIBLE));
    return new RequestDispatcher(
        new ProviderCalls(
            new Providers(endpoints, new ObjectMapper()),
            client,
            new CallPolicy(new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(1)), keys, guards)),
        new ResponsePublisher(producer, serdes),
        Clock.systemUTC());
  }

  @Test
  void usesTheTenantsOwnKeyAndNeverLogsOrPublishesAnyKey() {
    final ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    final Level previous = root.getLevel();
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
    try {
      server.script("gpt-5", Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + ACME_KEY + "\"}}"));
      server.always("gpt-5-mini", Reply.error(500));
      server.always("gpt-4.1", Reply.ok("fine", 5, 2));
      final RequestDispatcher dispatcher = dispatcher(KeyStore.of(Map.of("tenant.acme/openai", ACME_KEY)), GuardSettings.defaults());
      dispatcher.handle(routed("req_k1", "openai/gpt-5")).block(WAIT);
      dispatcher.handle(routed("req_k2", "openai/gpt-5-mini")).block(WAIT);
      dispatcher.handle(routed(chat("req_k3").setTenant("globex").build(), "openai/gpt-4.1")).block(WAIT);
    } finally {
      root.detachAppender(logs);
      root.setLevel(previous);
    }

    assertThat(server.requests()).filteredOn(call -> !call.model().equals("gpt-4.1"))
        .isNotEmpty()
        .allSatisfy(call -> assertThat(call.headers()).containsEntry("authorization", "Bearer " + ACME_KEY));
    assertThat(server.requests()).filteredOn(call -> call.model().equals("gpt-4.1"))
        .singleElement()
        .satisfies(call -> assertThat(call.headers()).containsEntry("authorization", "Bearer " + PLATFORM_KEY));
    assertThat(logs.list).isNotEmpty().allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).doesNotContain(ACME_KEY).doesNotContain(PLATFORM_KEY);
      if (event.getThrowableProxy() != null) {
        assertThat(String.valueOf(event.getThrowableProxy().getMessage())).doesNotContain(ACME_KEY);
      }
    });
    assertThat(producer.history()).allSatisfy(record -> {
      final String value = new String(record.value(), StandardCharsets.ISO_8859_1);
      assertThat(value).doesNotContain(ACME_KEY).doesNotContain(PLATFORM_KEY);
      for (final Header header : record.headers()) {
        assertThat(new String(header.value(), StandardCharsets.UTF_8)).doesNotContain(ACME_KEY);
      }
    });
  }

  @Test
  void usageSaysWhoseKeyPaid() {
    server.always("gpt-4.1", Reply.ok("fine", 5, 2));
    final RequestDispatcher dispatcher =
        dispatcher(KeyStore.of(Map.of("tenant.acme/openai", ACME_KEY)), GuardSettings.defaults());

    dispatcher.handle(routed("req_own", "openai/gpt-4.1")).block(WAIT);
    dispatcher.handle(routed(chat("req_platform").setTenant("globex").build(), "openai/gpt-4.1")).block(WAIT);

    assertThat(published.values(Topics.USAGE))
        .extracting(UsageEvent::getCorrelationId, UsageEvent::getPaidBy)
        .containsExactly(tuple("req_own", "byok"), tuple("req_platform", "platform"));
  }

  @Test
  void anUnknownKeyRefCallsNoProviderAndAnswersNoCredentials() {
    server.always("llama", Reply.ok("from backup", 5, 2));
    final RequestDispatcher dispatcher = dispatcher(KeyStore.of(Map.of("kref_a/backup", "sk-b")), GuardSettings.defaults());

    dispatcher.handle(routed(chat("req_r1").setKeyRef("kref_missing").build(), "openai/gpt-5", "backup/llama")).block(WAIT);
    dispatcher.handle(routed(chat("req_r2").setKeyRef("kref_a").build(), "backup/llama")).block(WAIT);

    final List<ChatResponse> responses = published.values(Topics.RESPONSES);
    assertThat(responses.get(0).getError().getType()).isEqualTo("no_credentials");
    assertThat(responses.get(1).getContent()).isEqualTo("from backup");
    assertThat(server.requests()).singleElement()
        .satisfies(call -> assertThat(call.headers()).containsEntry("authorization", "Bearer sk-b"));
  }

  @Test
  void dropsAnotherFamilysReasoningBeforeTheCall() {
    server.always("gpt-5", Reply.ok("ok", 5, 2));
    final ContentPart thinking =
        ContentPart.newBuilder()
            .setType(PartType.REASONING)
            .setText("private claude thoughts")
            .setReasoningFormat("anthropic-thinking")
            .setReasoningFamily("claude")
            .setReasoningSignature("sig-claude")
            .build();
    final var request =
        chat("req_h1")
            .setMessages(
                List.of(
                    message("user", text("q")),
                    message("assistant", thinking, text("a")),
                    message("user", text("again"))))
            .build();

    dispatcher(KeyStore.empty(), GuardSettings.defaults()).handle(routed(request, "openai/gpt-5")).block(WAIT);

    assertThat(server.requests()).singleElement()
        .satisfies(call -> assertThat(call.body().toString()).doesNotContain("private claude thoughts").doesNotContain("sig-claude"));
  }

  @Test
  void anOpenBreakerSendsRequestsStraightToTheNextModel() {
    server.always("gpt-5", Reply.error(503));
    server.always("llama", Reply.ok("backup answer", 5, 2));
    final RequestDispatcher dispatcher =
        dispatcher(KeyStore.empty(), new GuardSettings(8, 2, 50f, 4, 4, Duration.ofMinutes(5)));

    for (int i = 0; i < 6; i++) {
      dispatcher.handle(routed("req_b" + i, "openai/gpt-5", "backup/llama")).block(WAIT);
    }

    // Two requests with one retry each fill the window of 4 failures; then the breaker is open.
    assertThat(server.requestsFor("gpt-5")).isEqualTo(4);
    assertThat(server.requestsFor("llama")).isEqualTo(6);
    assertThat(published.values(Topics.RESPONSES)).hasSize(6)
        .allSatisfy(response -> assertThat(response.getContent()).isEqualTo("backup answer"));
  }
}
