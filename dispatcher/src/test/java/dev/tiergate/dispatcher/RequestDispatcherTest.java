package dev.tiergate.dispatcher;

import static dev.tiergate.dispatcher.FakeOpenAi.Reply;
import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.routed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.dispatcher.provider.HttpSettings;
import dev.tiergate.dispatcher.provider.ModelFamilies;
import dev.tiergate.dispatcher.provider.ProviderClient;
import dev.tiergate.dispatcher.provider.ProviderEndpoint;
import dev.tiergate.dispatcher.provider.ProviderFormat;
import dev.tiergate.dispatcher.provider.Providers;
import dev.tiergate.dispatcher.provider.RetryPolicy;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The dispatcher against a real local HTTP server speaking OpenAI, publishing to a MockProducer. */
class RequestDispatcherTest {

  private static final String KEY = "sk-test-0123456789secret";
  private static final Instant NOW = Instant.parse("2025-06-01T10:00:01.234Z");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final SerdeFactory serdes = SerdeFactory.schemaless();
  private FakeOpenAi server;
  private MockProducer<String, byte[]> producer;
  private Published published;
  private ProviderClient client;

  @BeforeEach
  void setUp() {
    server = new FakeOpenAi();
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    published = new Published(producer, serdes);
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  private RequestDispatcher dispatcher(final Duration responseTimeout, final ProviderEndpoint... extra) {
    client = new ProviderClient(new HttpSettings(Duration.ofSeconds(2), responseTimeout, Duration.ofSeconds(15), 8));
    final List<ProviderEndpoint> endpoints = new java.util.ArrayList<>(List.of(extra));
    endpoints.add(
        new ProviderEndpoint("openai", URI.create(server.baseUrl()), Optional.of(KEY), ProviderFormat.OPENAI));
    return new RequestDispatcher(
        new ProviderCalls(
            new Providers(endpoints, new ObjectMapper()),
            client,
            CallPolicy.of(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(1)))),
        new ResponsePublisher(producer, serdes),
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private RequestDispatcher dispatcher() {
    return dispatcher(Duration.ofSeconds(10));
  }

  private void serve(final RequestDispatcher dispatcher, final RoutedRequest routed) {
    dispatcher.handle(routed).block(WAIT);
  }

  @Test
  void servesRequestWithOneResponseAndOneUsageEvent() {
    server.always("gpt-5-mini", Reply.ok("Hi there", 100, 40));

    serve(dispatcher(), routed("req_1", "openai/gpt-5-mini"));

    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getError()).isNull();
    assertThat(response.getContent()).isEqualTo("Hi there");
    assertThat(response.getFinishReason()).isEqualTo("stop");
    assertThat(response.getModel()).isEqualTo("openai/gpt-5-mini");
    assertThat(response.getProvider()).isEqualTo("openai");
    assertThat(List.of(response.getTier(), response.getMode(), response.getRuleKey()))
        .containsExactly("balanced", "code", "balanced/code");
    assertThat(List.of(response.getSessionId(), response.getTenant(), response.getBatchId(), response.getBatchItemId()))
        .containsExactly("sess_1", "acme", "batch_7", "item_3");
    assertThat(response.getCreatedAt()).isEqualTo(NOW);
    assertThat(response.getUsage()).isEqualTo(usage(100, 40, 50, 20));

    final UsageEvent usage = single(published.values(Topics.USAGE));
    assertThat(usage.getUsage()).isEqualTo(usage(100, 40, 50, 20));
    assertThat(List.of(usage.getTenant(), usage.getSessionId(), usage.getMode(), usage.getTier(), usage.getFeature()))
        .containsExactly("acme", "sess_1", "code", "balanced", "autocomplete");
    assertThat(List.of(usage.getModel(), usage.getProvider(), usage.getBatchId()))
        .containsExactly("openai/gpt-5-mini", "openai", "batch_7");
    assertThat(usage.getOccurredAt()).isEqualTo(NOW);
    assertThat(usage.getInterrupted()).isFalse();

    assertThat(producer.history()).allSatisfy(record -> {
      assertThat(record.key()).isEqualTo("req_1");
      assertThat(Published.correlationHeader(record)).isEqualTo("req_1");
    });
    assertThat(server.requests()).singleElement()
        .satisfies(call -> assertThat(call.body().path("model").asText()).isEqualTo("gpt-5-mini"));
  }

  @Test
  void saysWhenThePredictorChoseTheTier() {
    server.always("gpt-5-mini", Reply.ok("Hi there", 100, 40));
    final RoutedRequest predicted = routed("req_p", "openai/gpt-5-mini");
    predicted.getDecision().setPredicted(true);

    serve(dispatcher(), predicted);
    serve(dispatcher(), routed("req_g", "openai/gpt-5-mini"));

    assertThat(published.values(Topics.RESPONSES))
        .extracting(ChatResponse::getCorrelationId, ChatResponse::getModePredicted)
        .containsExactly(tuple("req_p", true), tuple("req_g", false));
  }

  @Test
  void retriesAServerErrorAndAnswersOnce() {
    server.script("gpt-5-mini", Reply.error(500), Reply.ok("second time lucky", 10, 5));

    serve(dispatcher(), routed("req_2", "openai/gpt-5-mini"));

    assertThat(server.requestsFor("gpt-5-mini")).isEqualTo(2);
    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getError()).isNull();
    assertThat(response.getContent()).isEqualTo("second time lucky");
    assertThat(published.values(Topics.USAGE)).hasSize(1);
  }

  @Test
  void fallsBackToTheNextModelWhenTheFirstStaysRateLimited() {
    server.always("gpt-5", Reply.error(429).withHeader("retry-after", "0"));
    server.always("gpt-5-mini", Reply.ok("from the second model", 10, 5));

    serve(dispatcher(), routed("req_3", "openai/gpt-5", "openai/gpt-5-mini"));

    assertThat(server.requestsFor("gpt-5")).isEqualTo(3);
    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getModel()).isEqualTo("openai/gpt-5-mini");
    assertThat(response.getContent()).isEqualTo("from the second model");
    assertThat(single(published.values(Topics.USAGE)).getModel()).isEqualTo("openai/gpt-5-mini");
  }

  @Test
  void answersWithOneErrorAndNoUsageWhenEveryModelFails() {
    server.always("gpt-5", Reply.error(503));
    server.always("gpt-5-mini", Reply.error(500));

    serve(dispatcher(), routed("req_4", "openai/gpt-5", "openai/gpt-5-mini"));

    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getError().getType()).isEqualTo("provider_error");
    assertThat(response.getError().getHttpStatus()).isEqualTo(502);
    assertThat(response.getError().getMessage()).contains("req_4").doesNotContain("HTTP 500", "openai/");
    assertThat(response.getFinishReason()).isEqualTo("error");
    assertThat(response.getModel()).isNull();
    assertThat(published.values(Topics.USAGE)).isEmpty();
  }

  @Test
  void answersRateLimitedWhenEveryModelIsRateLimited() {
    server.always("gpt-5", Reply.error(429));
    server.always("gpt-5-mini", Reply.error(429));

    serve(dispatcher(), routed("req_5", "openai/gpt-5", "openai/gpt-5-mini"));

    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getError().getType()).isEqualTo("rate_limited");
    assertThat(response.getError().getHttpStatus()).isEqualTo(429);
  }

  @Test
  void answersARejectedRequestWithoutRetryOrFallback() {
    server.always("gpt-5", Reply.json(400, "{\"error\":{\"message\":\"messages must not be empty\"}}"));

    serve(dispatcher(), routed("req_6", "openai/gpt-5", "openai/gpt-5-mini"));

    assertThat(server.requestsFor("gpt-5")).isEqualTo(1);
    assertThat(server.requestsFor("gpt-5-mini")).isZero();
    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getError().getType()).isEqualTo("invalid_request");
    assertThat(response.getError().getHttpStatus()).isEqualTo(400);
    assertThat(response.getError().getMessage()).contains("req_6").doesNotContain("messages must not be empty");
  }

  @Test
  void providerErrorTextGoesToTheLogWithoutTheKeyAndNeverToTheClient() {
    final ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try {
      server.always("gpt-5", Reply.json(400, "{\"error\":{\"message\":\"org-acme42 on node-7.internal."
          + "example: key " + KEY + " over quota\"}}"));
      serve(dispatcher(), routed("req_raw", "openai/gpt-5"));
    } finally {
      root.detachAppender(logs);
    }

    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getError().getHttpStatus()).isEqualTo(400);
    assertThat(response.getError().getMessage()).contains("req_raw").doesNotContain("org-acme42", "internal");
    assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(line -> assertThat(line).contains("req_raw", "org-acme42"))
        .allSatisfy(line -> assertThat(line).doesNotContain(KEY));
  }

  @Test
  void neverCallsAModelTheCatalogueDoesNotList() {
    server.always("gpt-5", Reply.ok("should not be called", 10, 5));
    server.always("gpt-5-listed-upstream", Reply.ok("from the catalogue's upstream model", 10, 5));
    final ModelFamilies catalogue = new ModelFamilies();
    catalogue.put("openai/gpt-5-mini", "gpt-5", "gpt-5-listed-upstream");
    client = new ProviderClient(new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(15), 8));
    final RequestDispatcher dispatcher = new RequestDispatcher(
        new ProviderCalls(
            new Providers(List.of(new ProviderEndpoint("openai", URI.create(server.baseUrl()), Optional.of(KEY),
                ProviderFormat.OPENAI)), new ObjectMapper(), catalogue, true),
            client,
            CallPolicy.of(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(1)))),
        new ResponsePublisher(producer, serdes),
        Clock.fixed(NOW, ZoneOffset.UTC));

    serve(dispatcher, routed("req_unlisted", "openai/gpt-5"));
    serve(dispatcher, routed("req_listed", "openai/gpt-5", "openai/gpt-5-mini"));

    assertThat(server.requestsFor("gpt-5")).isZero();
    assertThat(server.requestsFor("gpt-5-listed-upstream")).isEqualTo(1);
    assertThat(published.values(Topics.RESPONSES))
        .extracting(ChatResponse::getCorrelationId, r -> r.getError() == null ? "served" : r.getError().getType())
        .containsExactly(tuple("req_unlisted", "provider_error"), tuple("req_listed", "served"));
  }

  @Test
  void skipsModelsOfUnknownProvidersAndUnreachableOnes() {
    final ProviderEndpoint down =
        new ProviderEndpoint("down", URI.create("http://127.0.0.1:" + closedPort() + "/v1"), Optional.empty(),
            ProviderFormat.OPENAI);
    server.always("gpt-5-mini", Reply.ok("still served", 10, 5));

    serve(dispatcher(Duration.ofSeconds(10), down), routed("req_7", "nowhere/x", "down/m", "openai/gpt-5-mini"));

    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getError()).isNull();
    assertThat(response.getModel()).isEqualTo("openai/gpt-5-mini");
  }

  @Test
  void answersUnroutableForAnEmptyChain() {
    serve(dispatcher(), routed("req_8"));

    assertThat(single(published.values(Topics.RESPONSES)).getError().getType()).isEqualTo("unroutable");
  }

  @Test
  void fallsBackWhenAModelTimesOut() {
    server.always("gpt-5", Reply.ok("too late", 10, 5).after(Duration.ofSeconds(3)));
    server.always("gpt-5-mini", Reply.ok("in time", 10, 5));

    serve(dispatcher(Duration.ofMillis(300)), routed("req_9", "openai/gpt-5", "openai/gpt-5-mini"));

    assertThat(server.requestsFor("gpt-5")).isEqualTo(1);
    assertThat(single(published.values(Topics.RESPONSES)).getContent()).isEqualTo("in time");
  }

  @Test
  void sendsTheKeyAsBearerAndNeverLogsOrPublishesIt() {
    final ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    final Level previous = root.getLevel();
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
    try {
      server.script("gpt-5", Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}"));
      server.always("gpt-5-mini", Reply.error(500));
      final RequestDispatcher dispatcher = dispatcher();
      serve(dispatcher, routed("req_10", "openai/gpt-5"));
      serve(dispatcher, routed("req_11", "openai/gpt-5-mini"));
    } finally {
      root.detachAppender(logs);
      root.setLevel(previous);
    }

    assertThat(server.requests()).isNotEmpty().allSatisfy(
        call -> assertThat(call.headers()).containsEntry("authorization", "Bearer " + KEY));
    assertThat(logs.list).isNotEmpty();
    assertThat(logs.list).allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).doesNotContain(KEY);
      if (event.getThrowableProxy() != null) {
        assertThat(String.valueOf(event.getThrowableProxy().getMessage())).doesNotContain(KEY);
      }
    });
    assertThat(producer.history()).allSatisfy(record -> {
      assertThat(new String(record.value(), StandardCharsets.ISO_8859_1)).doesNotContain(KEY);
      for (final Header header : record.headers()) {
        assertThat(new String(header.value(), StandardCharsets.UTF_8)).doesNotContain(KEY);
      }
    });
    assertThat(published.values(Topics.RESPONSES)).extracting(r -> r.getError().getType())
        .containsExactly("provider_error", "provider_error");
  }

  @Test
  void streamsChunksThenTheAssembledResponseAndUsage() {
    server.always(
        "gpt-5-mini",
        Reply.stream(
            List.of(
                chunk("{\"content\":\"Hel\"}", null),
                chunk("{\"content\":\"lo\"}", null),
                chunk("{}", "\"stop\""),
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":4},"
                    + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}",
                "[DONE]")));

    serve(dispatcher(), routed(chat("req_12").setStream(true).build(), "openai/gpt-5-mini"));

    assertThat(server.requests()).singleElement().satisfies(call -> {
      assertThat(call.body().path("stream").asBoolean()).isTrue();
      assertThat(call.body().path("stream_options").path("include_usage").asBoolean()).isTrue();
    });
    final List<ChatChunk> chunks = published.values(Topics.RESPONSE_CHUNKS);
    assertThat(chunks).extracting(ChatChunk::getSequence).containsExactly(0, 1, 2);
    assertThat(chunks).extracting(ChatChunk::getContentDelta).containsExactly("Hel", "lo", null);
    assertThat(chunks).extracting(ChatChunk::getTier, ChatChunk::getMode, ChatChunk::getRuleKey)
        .containsExactly(
            tuple("balanced", "code", "balanced/code"), tuple(null, null, null), tuple(null, null, null));
    final ChatChunk last = chunks.get(2);
    assertThat(last.getLast()).isTrue();
    assertThat(last.getFinishReason()).isEqualTo("stop");
    assertThat(last.getUsage()).isEqualTo(usage(12, 2, 4, 0));
    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getContent()).isEqualTo("Hello");
    assertThat(response.getUsage()).isEqualTo(usage(12, 2, 4, 0));
    assertThat(single(published.values(Topics.USAGE)).getUsage()).isEqualTo(usage(12, 2, 4, 0));
    assertThat(published.records(Topics.RESPONSE_CHUNKS)).allSatisfy(
        record -> assertThat(Published.correlationHeader(record)).isEqualTo("req_12"));
  }

  @Test
  void recordsAStreamCutShortAsInterruptedWithEstimatedUsage() {
    server.always("gpt-5-mini", Reply.stream(List.of(chunk("{\"content\":\"partial answer\"}", null))));

    serve(dispatcher(), routed(chat("req_13").setStream(true).build(), "openai/gpt-5-mini", "openai/gpt-5"));

    assertThat(server.requestsFor("gpt-5")).isZero();
    final List<ChatChunk> chunks = published.values(Topics.RESPONSE_CHUNKS);
    assertThat(chunks).extracting(ChatChunk::getLast).containsExactly(false, true);
    assertThat(chunks.get(1).getFinishReason()).isEqualTo("error");
    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getContent()).isEqualTo("partial answer");
    assertThat(response.getError().getType()).isEqualTo("provider_error");
    final UsageEvent usage = single(published.values(Topics.USAGE));
    assertThat(usage.getInterrupted()).isTrue();
    assertThat(usage.getUsage().getEstimated()).isTrue();
    assertThat(usage.getUsage().getOutputTokens()).isPositive();
  }

  @Test
  void streamThatFailsBeforeItsFirstDeltaFallsBack() {
    server.always("gpt-5", Reply.error(503));
    server.always("gpt-5-mini", Reply.stream(List.of(chunk("{\"content\":\"ok\"}", "\"stop\""), "[DONE]")));

    serve(dispatcher(), routed(chat("req_14").setStream(true).build(), "openai/gpt-5", "openai/gpt-5-mini"));

    assertThat(server.requestsFor("gpt-5")).isEqualTo(3);
    final ChatResponse response = single(published.values(Topics.RESPONSES));
    assertThat(response.getModel()).isEqualTo("openai/gpt-5-mini");
    assertThat(response.getContent()).isEqualTo("ok");
    assertThat(response.getUsage().getEstimated()).isTrue();
    assertThat(published.values(Topics.RESPONSE_CHUNKS)).extracting(ChatChunk::getSequence).containsExactly(0, 1);
  }

  @Test
  void publishesTheStreamResponseOnlyAfterEveryChunkIsAcknowledged() {
    producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    published = new Published(producer, serdes);
    server.always("gpt-5-mini", Reply.stream(List.of(chunk("{\"content\":\"ok\"}", "\"stop\""), "[DONE]")));

    final reactor.core.Disposable running =
        dispatcher().handle(routed(chat("req_15").setStream(true).build(), "openai/gpt-5-mini")).subscribe();
    try {
      await().until(() -> published.records(Topics.RESPONSE_CHUNKS).size() == 2);
      assertThat(published.records(Topics.RESPONSES)).isEmpty();

      while (producer.completeNext()) {
        // acknowledge both chunks
      }
      await().until(() -> published.records(Topics.RESPONSES).size() == 1);
    } finally {
      running.dispose();
    }
  }

  @Test
  void aResponseTooLargeForTheBusBecomesAnErrorReplyAndADeadLetter() {
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
      private boolean refused;

      @Override
      public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>
          send(final org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record,
              final org.apache.kafka.clients.producer.Callback callback) {
        if (!refused && record.topic().equals(Topics.RESPONSES.name())) {
          refused = true;
          final var tooLarge = new org.apache.kafka.common.errors.RecordTooLargeException(
              "The message is 20000000 bytes when serialized");
          callback.onCompletion(null, tooLarge);
          return java.util.concurrent.CompletableFuture.failedFuture(tooLarge);
        }
        return super.send(record, callback);
      }
    };
    published = new Published(producer, serdes);
    server.always("gpt-5-mini", Reply.ok("Hi there", 100, 40));

    serve(dispatcher(), routed("req_big", "openai/gpt-5-mini"));

    final ChatResponse reply = single(published.values(Topics.RESPONSES));
    assertThat(reply.getCorrelationId()).isEqualTo("req_big");
    assertThat(reply.getError().getType()).isEqualTo(RequestDispatcher.RESPONSE_TOO_LARGE);
    assertThat(reply.getError().getHttpStatus()).isEqualTo(502);
    // The provider call was made: its usage is still published, to be billed.
    assertThat(single(published.values(Topics.USAGE)).getCorrelationId()).isEqualTo("req_big");
    final var letter = single(producer.history().stream()
        .filter(record -> record.topic().endsWith(".dlq")).toList());
    assertThat(dev.tiergate.schemas.TiergateHeaders.get(letter.headers(),
        dev.tiergate.schemas.TiergateHeaders.DLQ_REASON))
        .hasValueSatisfying(reason -> assertThat(reason).contains("RecordTooLargeException"));
    assertThat(Topics.ROUTED.valueSerde(serdes).deserializer()
        .deserialize(Topics.ROUTED.name(), letter.value()).getRequest().getCorrelationId())
        .isEqualTo("req_big");
  }

  private static String chunk(final String delta, final String finishReason) {
    return "{\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}";
  }

  private static int closedPort() {
    final DisposableServer probe = HttpServer.create().host("127.0.0.1").port(0).bindNow();
    final int port = probe.port();
    probe.disposeNow();
    return port;
  }

  private static Usage usage(final long in, final long out, final long cached, final long reasoning) {
    return Usage.newBuilder()
        .setInputTokens(in)
        .setOutputTokens(out)
        .setCachedInputTokens(cached)
        .setReasoningTokens(reasoning)
        .build();
  }

  private static <T> T single(final List<T> values) {
    assertThat(values).hasSize(1);
    return values.get(0);
  }
}
