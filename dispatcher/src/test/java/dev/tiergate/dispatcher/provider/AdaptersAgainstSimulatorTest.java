package dev.tiergate.dispatcher.provider;

import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.message;
import static dev.tiergate.dispatcher.TestRequests.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolDefinition;
import dev.tiergate.stack.simulator.ProviderSimulator;
import dev.tiergate.stack.simulator.SimulatorConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every adapter over real HTTP against the provider simulator speaking its format, including the
 * simulator's faults: a stream dropped midway, a 429 with Retry-After, a slow first byte.
 */
class AdaptersAgainstSimulatorTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ProviderSimulator simulator;
  private static ProviderClient client;
  private static Providers providers;

  @BeforeAll
  static void start() {
    simulator = ProviderSimulator.start(SimulatorConfig.defaults());
    client = new ProviderClient(new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(20), 8));
    providers =
        new Providers(
            List.of(
                endpoint("anthropic", "/anthropic/v1", ProviderFormat.ANTHROPIC),
                endpoint("google", "/google/v1beta", ProviderFormat.GEMINI),
                endpoint("groq", "/groq/openai/v1", ProviderFormat.OPENAI_COMPATIBLE),
                endpoint("openai", "/v1", ProviderFormat.OPENAI)),
            new ObjectMapper());
  }

  @AfterAll
  static void stop() {
    client.close();
    simulator.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"anthropic/claude-sim", "google/gemini-sim", "groq/llama-sim", "openai/gpt-sim"})
  void completesWithTextAndUsage(final String model) {
    final ProviderReply reply = client.complete(target(model), question("Hello simulator"), Map.of()).block(WAIT);

    assertThat(reply.content()).contains("Hello simulator");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.usage()).hasValueSatisfying(usage -> {
      assertThat(usage.getInputTokens()).isPositive();
      assertThat(usage.getOutputTokens()).isPositive();
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"anthropic/claude-sim", "google/gemini-sim", "groq/llama-sim", "openai/gpt-sim"})
  void streamsTextToTheEndWithUsage(final String model) {
    final ReplyAssembler assembler = new ReplyAssembler();
    client.stream(target(model), question("Stream to me"), Map.of()).doOnNext(assembler::add).blockLast(WAIT);

    final ProviderReply reply = assembler.reply();
    assertThat(reply.content()).contains("Stream to me");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.usage()).hasValueSatisfying(usage -> assertThat(usage.getOutputTokens()).isPositive());
  }

  @ParameterizedTest
  @ValueSource(strings = {"anthropic/claude-tools", "google/gemini-tools", "groq/llama-tools"})
  void callsARequiredToolStreamedAndNot(final String model) {
    final ChatRequest request =
        chat("req_tool")
            .setMessages(List.of(message("user", text("Use the tool"))))
            .setTools(List.of(ToolDefinition.newBuilder().setName("get_weather").setParametersJson(
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}").build()))
            .setToolChoiceJson("\"required\"")
            .build();

    final ProviderReply complete = client.complete(target(model), request, Map.of()).block(WAIT);
    final ReplyAssembler assembler = new ReplyAssembler();
    client.stream(target(model), request, Map.of()).doOnNext(assembler::add).blockLast(WAIT);

    for (final ProviderReply reply : List.of(complete, assembler.reply())) {
      assertThat(reply.finishReason()).isEqualTo("tool_calls");
      assertThat(reply.toolCalls()).singleElement().satisfies(call -> {
        assertThat(call.getName()).isEqualTo("get_weather");
        assertThat(new ObjectMapper().readTree(call.getArgumentsJson()).isObject()).isTrue();
      });
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"anthropic/claude-think", "google/gemini-think"})
  void returnsReasoningTokensOrSignaturesWhenAskedToThink(final String model) {
    final ChatRequest request =
        chat("req_think").setMessages(List.of(message("user", text("Think hard"))))
            .setSampling(SamplingParams.newBuilder().setReasoningEffort("low").build()).build();

    final ProviderReply reply = client.complete(target(model), request, Map.of()).block(WAIT);

    assertThat(reply.usage()).isPresent();
    if (model.startsWith("anthropic")) {
      assertThat(reply.reasoningSignature()).startsWith("sim-sig-");
    } else {
      assertThat(reply.usage().get().getReasoningTokens()).isPositive();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"anthropic/claude-drop", "google/gemini-drop"})
  void aStreamDroppedMidwayFailsAsInterruptedAfterItsFirstDeltas(final String model) {
    final ReplyAssembler assembler = new ReplyAssembler();
    final ProviderTarget dropping = withHeaders(model, Map.of("x-sim-stream-abort-after", "3"));

    assertThatThrownBy(
            () -> client.stream(dropping, question("Break off please"), Map.of()).doOnNext(assembler::add).blockLast(WAIT))
        .isInstanceOfSatisfying(
            ProviderFailure.class, failure -> assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.INTERRUPTED));
    assertThat(assembler.started()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"anthropic/claude-limited", "google/gemini-limited"})
  void aRateLimitCarriesTheProvidersRetryAfter(final String model) {
    assertThatThrownBy(
            () -> client.complete(withHeaders(model, Map.of("x-sim-fail", "429")), question("hi"), Map.of()).block(WAIT))
        .isInstanceOfSatisfying(
            ProviderFailure.class,
            failure -> {
              assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.RATE_LIMITED);
              assertThat(failure.retryAfter()).contains(Duration.ofSeconds(1));
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"anthropic/claude-slow", "google/gemini-slow"})
  void aSlowFirstByteTimesOut(final String model) {
    try (ProviderClient impatient =
        new ProviderClient(new HttpSettings(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(20), 2))) {
      assertThatThrownBy(
              () -> impatient.complete(withHeaders(model, Map.of("x-sim-latency-ms", "3000")), question("hi"), Map.of())
                  .block(WAIT))
          .isInstanceOfSatisfying(
              ProviderFailure.class, failure -> assertThat(failure.kind()).isEqualTo(ProviderFailure.Kind.TIMEOUT));
    }
  }

  /** The model's target with an adapter that also sends the simulator's fault headers. */
  private static ProviderTarget withHeaders(final String model, final Map<String, String> headers) {
    final ProviderTarget target = target(model);
    final ProviderAdapter adapter = target.adapter();
    final ProviderAdapter faulty =
        new ProviderAdapter() {
          @Override
          public ProviderFormat format() {
            return adapter.format();
          }

          @Override
          public ProviderRequest buildRequest(
              final ChatRequest request, final String upstream, final Map<String, String> params, final boolean stream) {
            final ProviderRequest call = adapter.buildRequest(request, upstream, params, stream);
            final Map<String, String> all = new java.util.HashMap<>(call.headers());
            all.putAll(headers);
            return new ProviderRequest(call.path(), all, call.body());
          }

          @Override
          public Map<String, String> authHeaders(final String apiKey) {
            return adapter.authHeaders(apiKey);
          }

          @Override
          public ProviderReply parseResponse(final byte[] body) {
            return adapter.parseResponse(body);
          }

          @Override
          public StreamDecoder newStreamDecoder() {
            return adapter.newStreamDecoder();
          }

          @Override
          public String errorMessage(final byte[] body) {
            return adapter.errorMessage(body);
          }
        };
    return new ProviderTarget(target.model(), target.endpoint(), faulty, target.family(), target.apiKey());
  }

  private static ChatRequest question(final String text) {
    return chat("req_sim").setMessages(List.of(message("user", text(text)))).build();
  }

  private static ProviderTarget target(final String model) {
    return providers.resolve(model).orElseThrow();
  }

  private static ProviderEndpoint endpoint(final String name, final String path, final ProviderFormat format) {
    return new ProviderEndpoint(name, URI.create(simulator.baseUrl() + path), Optional.of("sk-sim"), format);
  }
}
