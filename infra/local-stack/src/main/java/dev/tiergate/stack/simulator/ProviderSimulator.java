package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.stack.simulator.WireFormat.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * An HTTP server that stands in for cloud LLM providers: it speaks their real wire formats (OpenAI
 * Chat Completions under any {@code …/chat/completions}, Anthropic Messages under any {@code
 * …/messages}, Gemini under any {@code …/models/{model}:generateContent} or {@code
 * :streamGenerateContent}, and embeddings under {@code …/embeddings}, {@code :embedContent} and
 * {@code :batchEmbedContents}), answers deterministically from the prompt with realistic usage, and
 * fails, slows down or breaks off streams on demand, so the dispatcher, the demo stack and every integration test run without keys
 * or network. It counts calls and keeps the last request per model for tests to inspect, and keeps
 * a {@link CallLedger} of calls per request id ({@code GET /_sim/calls}).
 *
 * <p>Per-request controls (headers): {@code x-sim-latency-ms}, {@code x-sim-fail: 429|500|503|none},
 * {@code x-sim-chunk-interval-ms}, {@code x-sim-stream-abort-after: N} (send N stream events, then
 * drop the connection).
 *
 * <p>Per-model faults, for callers that cannot set headers (a request through the gateway): a
 * model named {@code sim-fail-400}, {@code -429}, {@code -500} or {@code -503} always fails with that
 * status, and its error message names an upstream host and an organisation ({@link
 * #LEAKY_ERROR_DETAIL}), as real providers' messages do, so tests can check where that text goes.
 */
public final class ProviderSimulator implements AutoCloseable {

  /** Part of every per-model fault's message: what must never reach a gateway client. */
  public static final String LEAKY_ERROR_DETAIL =
      "organization org-sim-4242 on upstream-7.simulated-provider.internal:8443";
  /** Model names that always fail: {@code sim-fail-} and a status. */
  public static final String FAILING_MODEL_PREFIX = "sim-fail-";

  private static final Logger LOG = LoggerFactory.getLogger(ProviderSimulator.class);
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final String LEDGER_PATH = "/_sim/calls";
  private static final String CLIENT_REQUEST_ID_HEADER = "x-client-request-id";

  private final SimulatorConfig config;
  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final List<WireFormat> formats;
  private final WireFormat fallbackFormat;
  private final WireFormat geminiFormat;
  private final ReplyGenerator generator;
  private final SimulatedEmbeddings embeddings = new SimulatedEmbeddings(mapper);
  private final FaultInjector faults;
  private final Clock clock = Clock.systemUTC();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final Map<String, RecordedRequest> lastRequests = new ConcurrentHashMap<>();
  private final Map<String, Duration> slowCredentials = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final CallLedger ledger = new CallLedger();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Its own event loops, so a JVM that also holds the gateway can tell their CPU apart. */
  private final LoopResources eventLoops = LoopResources.create("simulator-http");
  private DisposableServer server;

  private ProviderSimulator(final SimulatorConfig config) {
    this.config = config;
    this.generator = new ReplyGenerator(mapper, config.replyWords());
    this.fallbackFormat = new OpenAiChatFormat(mapper);
    this.geminiFormat = new GeminiFormat(mapper);
    this.formats = List.of(fallbackFormat, new AnthropicMessagesFormat(mapper), geminiFormat);
    this.faults = new FaultInjector(config);
  }

  /** Binds a simulator and returns once it accepts connections. */
  public static ProviderSimulator start(final SimulatorConfig config) {
    Objects.requireNonNull(config, "config");
    final ProviderSimulator simulator = new ProviderSimulator(config);
    simulator.server =
        HttpServer.create()
            .runOn(simulator.eventLoops)
            .host(config.host())
            .port(config.port())
            .idleTimeout(Duration.ofMinutes(2))
            .requestTimeout(Duration.ofSeconds(30))
            .handle(simulator::handle)
            .bindNow(BIND_TIMEOUT);
    LOG.info("provider simulator listening on {}", simulator.baseUrl());
    return simulator;
  }

  /** Where clients reach it, e.g. {@code http://127.0.0.1:41234}; append {@code /v1} for OpenAI. */
  public String baseUrl() {
    final String host = config.host();
    final boolean wildcard = "0.0.0.0".equals(host) || "::".equals(host);
    return "http://" + (wildcard ? "127.0.0.1" : host) + ":" + port();
  }

  public int port() {
    return server.port();
  }

  public SimulatorConfig config() {
    return config;
  }

  /** Well-formed requests received for a model, failed ones (injected errors) included. */
  public long calls(final String model) {
    Objects.requireNonNull(model, "model");
    final AtomicLong count = calls.get(model);
    return count == null ? 0 : count.get();
  }

  /** Well-formed requests received for any model. */
  public long totalCalls() {
    return calls.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** A snapshot of {@link #calls(String)} for every model seen. */
  public Map<String, Long> callsByModel() {
    final Map<String, Long> snapshot = new TreeMap<>();
    calls.forEach((model, count) -> snapshot.put(model, count.get()));
    return snapshot;
  }

  /** The body of the last well-formed request for a model, as sent. */
  public Optional<JsonNode> lastRequest(final String model) {
    Objects.requireNonNull(model, "model");
    return Optional.ofNullable(lastRequests.get(model)).map(r -> r.body().deepCopy());
  }

  /** The headers (names in lower case) of the last well-formed request for a model. */
  public Map<String, String> lastHeaders(final String model) {
    Objects.requireNonNull(model, "model");
    final RecordedRequest recorded = lastRequests.get(model);
    return recorded == null ? Map.of() : recorded.headers();
  }

  /** Calls per request id (the {@code x-client-request-id} header), also served at {@code GET /_sim/calls}. */
  public CallLedger ledger() {
    return ledger;
  }

  /** Forgets counts and recorded requests; the failure draws go on where they were. */
  public void reset() {
    calls.clear();
    lastRequests.clear();
    ledger.clear();
  }

  /** Stops listening; safe to call more than once, and from a shutdown hook. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && server != null) {
      server.disposeNow(CLOSE_TIMEOUT);
      eventLoops.disposeLater().block(CLOSE_TIMEOUT);
      LOG.info("provider simulator on port {} closed", server.port());
    }
  }

  /** Blocks the calling thread until the simulator is closed; for a standalone process's main. */
  void awaitClose() {
    server.onDispose().block();
  }

  // ---------------------------------------------------------------- request handling

  private Publisher<Void> handle(final HttpServerRequest request, final HttpServerResponse response) {
    final String path = pathOf(request.uri());
    if (LEDGER_PATH.equals(path) && HttpMethod.GET.equals(request.method())) {
      return response.header(HttpHeaderNames.CONTENT_TYPE, "application/json")
          .sendString(Mono.fromSupplier(() -> ledger.toJson(mapper)));
    }
    if (SimulatedEmbeddings.serves(path) && HttpMethod.POST.equals(request.method())) {
      return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
          .flatMap(body -> answerEmbeddings(path, request.requestHeaders(), body, response));
    }
    final Optional<WireFormat> format =
        formats.stream().filter(f -> f.serves(path)).findFirst();
    if (format.isEmpty() || !HttpMethod.POST.equals(request.method())) {
      final String message = "Invalid URL (" + request.method() + " " + path + ")";
      return sendError(response, fallbackFormat, SimulatedError.NOT_FOUND, message, null);
    }
    final RequestControls controls;
    try {
      controls = RequestControls.from(request.requestHeaders(), config);
    } catch (IllegalArgumentException e) {
      return sendError(response, format.get(), SimulatedError.INVALID_REQUEST, e.getMessage(), null);
    }
    final HttpHeaders headers = request.requestHeaders();
    return request
        .receive()
        .aggregate()
        .asString(StandardCharsets.UTF_8)
        .defaultIfEmpty("")
        .flatMap(body -> answer(new Exchange(format.get(), path, headers, controls, response), body));
  }

  private Mono<Void> answer(final Exchange exchange, final String body) {
    final JsonNode json;
    final SimulatedPrompt prompt;
    try {
      json = mapper.readTree(body);
      prompt = exchange.format().parse(exchange.path(), json);
    } catch (JsonProcessingException e) {
      final String message =
          "We could not parse the JSON body of your request. The API expects a JSON payload.";
      return sendError(
          exchange.response(), exchange.format(), SimulatedError.INVALID_REQUEST, message, null);
    } catch (InvalidRequestException e) {
      return sendError(
          exchange.response(),
          exchange.format(),
          SimulatedError.INVALID_REQUEST,
          e.getMessage(),
          e.param());
    }
    record(prompt.model(), json, exchange.headers());
    final Optional<SimulatedError> modelFault = modelFault(prompt.model());
    if (modelFault.isPresent()) {
      return sendError(exchange.response(), exchange.format(), modelFault.get(),
          "Simulated failure for " + prompt.model() + " (" + LEAKY_ERROR_DETAIL + ").", null);
    }
    final CallLedger.Call call =
        ledger.started(exchange.headers().get(CLIENT_REQUEST_ID_HEADER), clock.instant());
    final Optional<SimulatedError> failure = exchange.controls().failure(faults);
    final Mono<Void> send =
        Mono.defer(
            () ->
                failure
                    .map(error -> sendFailure(exchange, prompt, error))
                    .orElseGet(() -> sendReply(exchange, prompt, call)));
    final Duration latency = latency(exchange);
    return (latency.isZero() ? send : Mono.delay(latency).then(send))
        .doOnSuccess(done -> call.completed(clock.instant()))
        .doOnError(error -> call.aborted(clock.instant()))
        .doOnCancel(() -> call.aborted(clock.instant()));
  }

  /**
   * An embeddings call: errors spelled like the provider's chat errors, per-model faults as for
   * chat, and the call counted in the ledger. Vectors are deterministic ({@link SimulatedEmbeddings}).
   */
  private Mono<Void> answerEmbeddings(
      final String path, final HttpHeaders headers, final String body,
      final HttpServerResponse response) {
    final WireFormat errors = SimulatedEmbeddings.isGemini(path) ? geminiFormat : fallbackFormat;
    final JsonNode json;
    final SimulatedEmbeddings.Call call;
    try {
      json = mapper.readTree(body);
      call = embeddings.parse(path, json);
    } catch (JsonProcessingException e) {
      return sendError(response, errors, SimulatedError.INVALID_REQUEST,
          "We could not parse the JSON body of your request. The API expects a JSON payload.", null);
    } catch (InvalidRequestException e) {
      return sendError(response, errors, SimulatedError.INVALID_REQUEST, e.getMessage(), e.param());
    }
    record(call.model(), json, headers);
    final Optional<SimulatedError> modelFault = modelFault(call.model());
    if (modelFault.isPresent()) {
      return sendError(response, errors, modelFault.get(),
          "Simulated failure for " + call.model() + " (" + LEAKY_ERROR_DETAIL + ").", null);
    }
    final CallLedger.Call ledgered =
        ledger.started(headers.get(CLIENT_REQUEST_ID_HEADER), clock.instant());
    return response.status(HttpResponseStatus.OK)
        .header("x-request-id", "req_sim" + sequence.incrementAndGet())
        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .sendString(Mono.fromSupplier(() -> embeddings.answer(call)))
        .then()
        .doOnSuccess(done -> ledgered.completed(clock.instant()))
        .doOnError(error -> ledgered.aborted(clock.instant()));
  }

  /** The request's own latency, or longer when it presents a credential that was slowed down. */
  private Duration latency(final Exchange exchange) {
    final Duration own = exchange.controls().latency();
    if (slowCredentials.isEmpty()) {
      return own;
    }
    final HttpHeaders headers = exchange.headers();
    final String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    final String bearer =
        authorization != null && authorization.startsWith("Bearer ")
            ? authorization.substring("Bearer ".length())
            : null;
    Duration latency = own;
    for (final String credential :
        new String[] {bearer, headers.get("x-api-key"), headers.get("x-goog-api-key")}) {
      final Duration slow = credential == null ? null : slowCredentials.get(credential);
      if (slow != null && slow.compareTo(latency) > 0) {
        latency = slow;
      }
    }
    return latency;
  }

  /**
   * Delays every call that presents this credential (a tenant's own provider key whose account is
   * slow) by at least {@code delay}; {@link Duration#ZERO} lifts it.
   */
  public void slowDownCredential(final String credential, final Duration delay) {
    Objects.requireNonNull(credential, "credential");
    if (delay.isZero()) {
      slowCredentials.remove(credential);
    } else {
      slowCredentials.put(credential, delay);
    }
  }

  /** The fault a {@code sim-fail-<status>} model always answers with. */
  private static Optional<SimulatedError> modelFault(final String model) {
    if (model == null || !model.startsWith(FAILING_MODEL_PREFIX)) {
      return Optional.empty();
    }
    final String status = model.substring(FAILING_MODEL_PREFIX.length());
    for (final SimulatedError error : SimulatedError.values()) {
      if (Integer.toString(error.status()).equals(status) && error != SimulatedError.NOT_FOUND) {
        return Optional.of(error);
      }
    }
    return Optional.empty();
  }

  private Mono<Void> sendReply(
      final Exchange exchange, final SimulatedPrompt prompt, final CallLedger.Call call) {
    final SimulatedReply reply = generator.reply(prompt);
    final long number = sequence.incrementAndGet();
    final Envelope envelope =
        new Envelope(
            exchange.format().responseId(reply.hash(), number), clock.instant().getEpochSecond());
    final HttpServerResponse response =
        exchange.response().status(HttpResponseStatus.OK).header("x-request-id", "req_sim" + number);
    LOG.debug("answering {} ({}, stream={})", prompt.model(), reply.finishReason(), prompt.stream());
    if (!prompt.stream()) {
      final String body = exchange.format().completion(prompt, reply, envelope);
      return response
          .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
          .sendString(Mono.just(body))
          .then();
    }
    final List<String> events = exchange.format().streamEvents(prompt, reply, envelope);
    return response
        .header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .header(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .send(eventFlux(events, exchange.controls())
            // A client that goes away cancels the events; the send itself may still complete.
            .doOnCancel(() -> call.aborted(clock.instant()))
            .doOnError(error -> call.aborted(clock.instant()))
            .map(ProviderSimulator::utf8), buf -> true)
        .then();
  }

  private static final Duration ABORT_GRACE = Duration.ofMillis(100);

  private static Flux<String> eventFlux(final List<String> events, final RequestControls controls) {
    Flux<String> flux = Flux.fromIterable(events);
    if (!controls.chunkInterval().isZero()) {
      flux = flux.delayElements(controls.chunkInterval());
    }
    if (controls.abortAfterEvents() >= 0) {
      flux =
          flux.take(controls.abortAfterEvents())
              // Let the sent events reach the wire before the connection is dropped; an
              // immediate error can close the channel with those writes still queued.
              .concatWith(
                  Mono.delay(ABORT_GRACE)
                      .then(Mono.error(new SimulatedStreamAbort(controls.abortAfterEvents()))));
    }
    return flux;
  }

  private Mono<Void> sendFailure(
      final Exchange exchange, final SimulatedPrompt prompt, final SimulatedError error) {
    LOG.debug("injecting {} for {}", error, prompt.model());
    HttpServerResponse response = exchange.response();
    if (error == SimulatedError.RATE_LIMITED) {
      final long millis = config.retryAfter().toMillis();
      response =
          response
              .header(HttpHeaderNames.RETRY_AFTER, Long.toString((millis + 999) / 1000))
              .header("retry-after-ms", Long.toString(millis));
    }
    return sendError(response, exchange.format(), error, failureMessage(error, prompt), null);
  }

  private String failureMessage(final SimulatedError error, final SimulatedPrompt prompt) {
    switch (error) {
      case RATE_LIMITED:
        return String.format(
            Locale.ROOT,
            "Rate limit reached for %s (simulated). Please try again in %dms.",
            prompt.model(),
            config.retryAfter().toMillis());
      case OVERLOADED:
        return "The engine is currently overloaded, please try again later (simulated).";
      default:
        return "The server had an error while processing your request (simulated).";
    }
  }

  private static Mono<Void> sendError(
      final HttpServerResponse response,
      final WireFormat format,
      final SimulatedError error,
      final String message,
      final String param) {
    return response
        .status(error.status())
        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .sendString(Mono.just(format.error(error, message, param)))
        .then();
  }

  private void record(final String model, final JsonNode body, final HttpHeaders headers) {
    calls.computeIfAbsent(model, m -> new AtomicLong()).incrementAndGet();
    final Map<String, String> names = new TreeMap<>();
    headers.forEach(h -> names.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
    lastRequests.put(model, new RecordedRequest(body, Map.copyOf(names)));
  }

  private static String pathOf(final String uri) {
    final int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  private static ByteBuf utf8(final String text) {
    return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
  }

  /** One request in flight: where it goes back to and how it was asked to behave. */
  private record Exchange(
      WireFormat format,
      String path,
      HttpHeaders headers,
      RequestControls controls,
      HttpServerResponse response) {}

  /** What the simulator remembers of the last request per model. */
  private record RecordedRequest(JsonNode body, Map<String, String> headers) {}

  /** Ends a stream early on request, so clients see a connection dropped mid-answer. */
  private static final class SimulatedStreamAbort extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimulatedStreamAbort(final int events) {
      super("stream aborted after " + events + " events, as requested by x-sim-stream-abort-after");
    }
  }
}
