package dev.tiergate.dispatcher;

import static dev.tiergate.dispatcher.FakeOpenAi.Reply;
import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.routed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.provider.HttpSettings;
import dev.tiergate.dispatcher.provider.ProviderClient;
import dev.tiergate.dispatcher.provider.ProviderEndpoint;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.Providers;
import dev.tiergate.dispatcher.provider.RetryPolicy;
import dev.tiergate.schemas.CancelEvent;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deadlines and cancels against a real local HTTP server speaking OpenAI. */
class AbandonedCallsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final SerdeFactory serdes = SerdeFactory.schemaless();
  private final CallStops stops = new CallStops(Clock.systemUTC(), 100);
  private FakeOpenAi server;
  private MockProducer<String, byte[]> producer;
  private Published published;
  private ProviderClient client;
  private RequestDispatcher dispatcher;

  @BeforeEach
  void setUp() {
    server = new FakeOpenAi();
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    published = new Published(producer, serdes);
    client = new ProviderClient(new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(15), 8));
    dispatcher =
        new RequestDispatcher(
            new ProviderCalls(
                new Providers(
                    List.of(new ProviderEndpoint(
                        "openai", URI.create(server.baseUrl()), Optional.of("sk-test-abandoned"), ProviderFormat.OPENAI)),
                    new ObjectMapper()),
                client,
                CallPolicy.of(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(1)))),
            new ResponsePublisher(producer, serdes),
            Clock.systemUTC(),
            DispatcherMetrics.inMemory(),
            stops);
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  @Test
  void expiredRequestIsNotSentToTheProvider() {
    server.always("gpt-5-mini", Reply.ok("late", 10, 5));

    dispatcher.handle(routed(chat("req_old").setDeadline(Instant.now().minusSeconds(1)).build(), "openai/gpt-5-mini"))
        .block(WAIT);

    assertThat(server.requestsFor("gpt-5-mini")).isZero();
    final ChatResponse response = published.values(Topics.RESPONSES).get(0);
    assertThat(response.getError().getType()).isEqualTo("deadline_exceeded");
    assertThat(response.getError().getHttpStatus()).isEqualTo(504);
    assertThat(published.values(Topics.USAGE)).isEmpty();
  }

  @Test
  void callOutlivingItsDeadlineIsCutWithoutFallbackOrUsage() {
    server.always("gpt-5-mini", Reply.ok("too slow", 10, 5).after(Duration.ofSeconds(10)));
    server.always("gpt-5-nano", Reply.ok("fallback", 10, 5));
    final long started = System.nanoTime();

    dispatcher.handle(routed(
            chat("req_slow").setDeadline(Instant.now().plusMillis(300)).build(),
            "openai/gpt-5-mini", "openai/gpt-5-nano"))
        .block(WAIT);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(server.requestsFor("gpt-5-nano")).as("no fallback after the deadline").isZero();
    assertThat(published.values(Topics.RESPONSES).get(0).getError().getType()).isEqualTo("deadline_exceeded");
    assertThat(published.values(Topics.USAGE)).isEmpty();
    assertThat(stops.running()).isZero();
  }

  @Test
  void cancelHeardBeforePickUpStopsTheRequest() {
    server.always("gpt-5-mini", Reply.ok("nobody reads this", 10, 5));
    stops.cancel(CancelEvent.newBuilder()
        .setCorrelationId("req_gone").setTenant("acme").setReason("client_disconnected")
        .setCancelledAt(Instant.now()).build());

    dispatcher.handle(routed("req_gone", "openai/gpt-5-mini")).block(WAIT);

    assertThat(server.requestsFor("gpt-5-mini")).isZero();
    assertThat(published.values(Topics.RESPONSES).get(0).getError().getType()).isEqualTo("client_disconnected");
  }

  @Test
  void requestWithoutDeadlineOrCancelIsServedAsBefore() {
    server.always("gpt-5-mini", Reply.ok("Hi", 10, 5));

    dispatcher.handle(routed("req_ok", "openai/gpt-5-mini")).block(WAIT);

    assertThat(published.values(Topics.RESPONSES).get(0).getContent()).isEqualTo("Hi");
    assertThat(published.values(Topics.USAGE)).singleElement()
        .satisfies(usage -> assertThat(usage.getCancelled()).isFalse());
  }
}
