package dev.tiergate.ingress;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.anthropic.AnthropicDialect;
import dev.tiergate.ingress.anthropic.AnthropicJson;
import dev.tiergate.ingress.anthropic.AnthropicNormalizer;
import dev.tiergate.ingress.auth.KeyDirectory;
import dev.tiergate.ingress.auth.NoVirtualKeysException;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.IngressMetrics;
import dev.tiergate.ingress.common.RequestTrace;
import dev.tiergate.ingress.http.ChatHandler;
import dev.tiergate.ingress.http.HandlerContext;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.http.ModelsHandler;
import dev.tiergate.ingress.limits.LimitSync;
import dev.tiergate.ingress.limits.RateLimiter;
import dev.tiergate.ingress.openai.EmbeddingsDialect;
import dev.tiergate.ingress.openai.OpenAiChatNormalizer;
import dev.tiergate.ingress.openai.OpenAiDialect;
import dev.tiergate.ingress.openai.OpenAiEmbeddingsNormalizer;
import dev.tiergate.ingress.openai.OpenAiJson;
import dev.tiergate.ingress.openrouter.KiloAccount;
import dev.tiergate.ingress.openrouter.OpenRouterDialect;
import dev.tiergate.ingress.openrouter.OpenRouterModelsHandler;
import dev.tiergate.ingress.openrouter.TenantBalances;
import dev.tiergate.ingress.reply.CancelPublisher;
import dev.tiergate.ingress.reply.DeadLetters;
import dev.tiergate.ingress.reply.IdempotentAnswers;
import dev.tiergate.ingress.reply.ReplyCorrelator;
import dev.tiergate.ingress.reply.ReplyListener;
import dev.tiergate.ingress.responses.ResponseStore;
import dev.tiergate.ingress.responses.ResponsesDialect;
import dev.tiergate.ingress.responses.ResponsesJson;
import dev.tiergate.ingress.responses.ResponsesNormalizer;
import dev.tiergate.ingress.responses.StoredResponsesHandler;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.RunnableService;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.CancelEvent;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.VirtualKey;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.resources.LoopResources;

/**
 * The client-facing HTTP API: OpenAI Chat Completions and Anthropic Messages in, normalized requests
 * onto Kafka, replies correlated back from the responses and chunk topics; keys and the model list
 * from their compacted topics. Owns its Kafka clients and HTTP server.
 */
@EntryPoint
public final class IngressService implements RunnableService {

  private static final Logger LOG = LoggerFactory.getLogger(IngressService.class);

  /** Longest pause between two reads of one request body. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  /** Longest time to read one whole request body. */
  static final Duration REQUEST_READ_TIMEOUT = Duration.ofSeconds(60);
  /** How long an idle keep-alive connection stays open. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(120);
  static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  /** How long start waits for the managed keys when there are no bootstrap keys. */
  static final Duration KEYS_READ_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** Route tag of requests no route matched (never the raw path: it would be unbounded). */
  private static final String UNMATCHED = "unmatched";
  /** The prefixes Kilo's clients put before an API route: OpenRouter's and Kilo's own gateway. */
  static final List<String> KILO_PREFIXES =
      List.of("/api/openrouter", "/api/openrouter/v1", "/api/gateway", "/api/gateway/v1");

  private final IngressConfig config;
  private final Producer<String, ChatRequest> producer;
  private final ReplyCorrelator correlator;
  private final ReplyListener<ChatResponse> responses;
  private final ReplyListener<ChatChunk> chunks;
  private final LiveTable<VirtualKey> managedKeys;
  private final LiveTable<ModelSpec> models;
  private final LiveTable<Route> routes;
  private final LiveTable<Budget> budgets;
  private final LiveTable<BudgetState> budgetStates;
  private final KiloAccount kiloAccount;
  private final ChatHandler openRouterChat;
  private final OpenRouterModelsHandler openRouterModels;
  private final ChatHandler chatCompletions;
  private final ChatHandler messages;
  private final ChatHandler embeddings;
  private final ModelsHandler modelsList;
  private final OpenAiDialect openAi;
  private final IngressMetrics metrics;
  private final DeadLetters deadLetters;
  private final RateLimiter limiter;
  private final LimitSync limitSync;
  private final CancelPublisher cancels;
  private final IdempotentAnswers answers;
  private final ResponseStore responseStore;
  private final ChatHandler responsesCreate;
  private final StoredResponsesHandler storedResponses;
  /** The ingress's own event loops, named for it (one JVM may also hold other services' loops). */
  private final LoopResources eventLoops = LoopResources.create("tiergate-ingress-http");
  private DisposableServer server;
  private DisposableServer metricsServer;
  private boolean closed;

  /** With real Kafka clients for the configured cluster. */
  public IngressService(final IngressConfig config, final SerdeFactory serdes) {
    this(
        config,
        new Clients(
            KafkaClients.requestProducer(config.kafka(), serdes),
            KafkaClients.replyConsumer(config.kafka(), Topics.RESPONSES, serdes),
            KafkaClients.replyConsumer(config.kafka(), Topics.RESPONSE_CHUNKS, serdes),
            KafkaClients.table(config.kafka(), Topics.VIRTUAL_KEYS, serdes),
            KafkaClients.table(config.kafka(), Topics.MODELS, serdes),
            KafkaClients.table(config.kafka(), Topics.ROUTES, serdes)),
        new Parts(
            new IngressMetrics(),
            KafkaClients.deadLetterProducer(config.kafka()),
            limiter ->
                new LimitSync(
                    limiter, config.limits().syncInterval(),
                    KafkaClients.limitCountsProducer(config.kafka(), serdes),
                    KafkaClients.replyConsumer(config.kafka(), Topics.LIMIT_COUNTS, serdes),
                    KafkaClients.limitUsageConsumer(config.kafka(), serdes),
                    Clock.systemUTC()),
            KafkaClients.cancelProducer(config.kafka(), serdes),
            new IdempotentAnswers(
                KafkaClients.replyConsumer(config.kafka(), Topics.RESPONSES, serdes),
                IdempotentAnswers.DEFAULT_CAPACITY, Clock.systemUTC()),
            new ResponseStore(
                KafkaClients.table(config.kafka(), Topics.STORED_RESPONSES, serdes),
                KafkaClients.storedResponseProducer(config.kafka(), serdes),
                Clock.systemUTC(), ResponseStore.DEFAULT_TABLE_WAIT),
            KafkaClients.table(config.kafka(), Topics.BUDGETS, serdes),
            KafkaClients.table(config.kafka(), Topics.BUDGET_STATE, serdes)));
  }

  /**
   * With the given reply clients (e.g. {@code MockProducer}/{@code MockConsumer}) and no managed
   * keys, catalogue or routes: only the static keys authenticate and explicit models are not
   * checked. Undecodable replies are logged and skipped (there is no dead-letter producer). The
   * service owns and closes the clients.
   */
  public IngressService(
      final IngressConfig config,
      final Producer<String, ChatRequest> producer,
      final Consumer<String, ChatResponse> responseConsumer,
      final Consumer<String, ChatChunk> chunkConsumer) {
    this(
        config,
        new Clients(
            producer, responseConsumer, chunkConsumer,
            LiveTable.fixed(Topics.VIRTUAL_KEYS.name(), Map.of()),
            LiveTable.fixed(Topics.MODELS.name(), Map.of()),
            LiveTable.fixed(Topics.ROUTES.name(), Map.of())),
        Parts.local(config, null));
  }

  /**
   * With the given clients and tables (a {@link LiveTable} over a consumer, or {@link
   * LiveTable#fixed}), the routing table being the one the OpenRouter models list reads tier
   * capabilities from, and a producer that sends undecodable replies to their dead-letter topic;
   * the service owns and closes them all. Rate limits count this instance only.
   */
  public IngressService(
      final IngressConfig config,
      final Producer<String, ChatRequest> producer,
      final Consumer<String, ChatResponse> responseConsumer,
      final Consumer<String, ChatChunk> chunkConsumer,
      final LiveTable<VirtualKey> managedKeys,
      final LiveTable<ModelSpec> models,
      final LiveTable<Route> routes,
      final Producer<byte[], byte[]> deadLetterProducer) {
    this(
        config,
        new Clients(producer, responseConsumer, chunkConsumer, managedKeys, models, routes),
        Parts.local(config, Objects.requireNonNull(deadLetterProducer, "deadLetterProducer")));
  }

  /** The clients and tables every service has, over Kafka or given; the service closes them. */
  private record Clients(
      Producer<String, ChatRequest> producer,
      Consumer<String, ChatResponse> responseConsumer,
      Consumer<String, ChatChunk> chunkConsumer,
      LiveTable<VirtualKey> managedKeys,
      LiveTable<ModelSpec> models,
      LiveTable<Route> routes) {}

  /**
   * What a service over Kafka has and one over given clients goes without (see {@link #local}):
   * the service owns and closes its clients.
   */
  private record Parts(
      IngressMetrics metrics,
      Producer<byte[], byte[]> deadLetterProducer,
      Function<RateLimiter, LimitSync> limitSync,
      Producer<String, CancelEvent> cancelProducer,
      IdempotentAnswers answers,
      ResponseStore responseStore,
      LiveTable<Budget> budgets,
      LiveTable<BudgetState> budgetStates) {

    /**
     * Rate limits counted by this instance only; no cancels, idempotent answers, stored responses
     * or budgets; undecodable replies logged and skipped when {@code deadLetterProducer} is null.
     */
    static Parts local(
        final IngressConfig config, final Producer<byte[], byte[]> deadLetterProducer) {
      return new Parts(
          new IngressMetrics(), deadLetterProducer,
          limiter -> LimitSync.local(limiter, config.limits().syncInterval()),
          null, IdempotentAnswers.none(), ResponseStore.local(),
          LiveTable.fixed(Topics.BUDGETS.name(), Map.of()),
          LiveTable.fixed(Topics.BUDGET_STATE.name(), Map.of()));
    }
  }

  private IngressService(final IngressConfig config, final Clients clients, final Parts parts) {
    final Producer<String, ChatRequest> producer = clients.producer();
    final LiveTable<ModelSpec> models = clients.models();
    final IngressMetrics metrics = parts.metrics();
    final IdempotentAnswers answers = parts.answers();
    this.responseStore = Objects.requireNonNull(parts.responseStore(), "responseStore");
    this.config = Objects.requireNonNull(config, "config");
    this.limiter =
        new RateLimiter(
            config.limits().tenants(), "ingress-" + UUID.randomUUID(), Clock.systemUTC());
    this.limitSync = parts.limitSync().apply(limiter);
    this.metrics = metrics;
    this.answers = Objects.requireNonNull(answers, "answers");
    this.cancels =
        parts.cancelProducer() == null
            ? CancelPublisher.NONE
            : new CancelPublisher(parts.cancelProducer(), Clock.systemUTC(), metrics);
    this.deadLetters = new DeadLetters(parts.deadLetterProducer(), metrics);
    this.producer = Objects.requireNonNull(producer, "producer");
    this.managedKeys = Objects.requireNonNull(clients.managedKeys(), "managedKeys");
    this.models = Objects.requireNonNull(models, "models");
    this.routes = Objects.requireNonNull(clients.routes(), "routes");
    this.budgets = Objects.requireNonNull(parts.budgets(), "budgets");
    this.budgetStates = Objects.requireNonNull(parts.budgetStates(), "budgetStates");
    this.correlator =
        new ReplyCorrelator(producer, config.replyTimeout(), config.maxPending(), metrics, cancels);
    answers.onAnswer(correlator::onResponse);
    // Chunks have no dead-letter topic of their own in the catalogue: both reply topics use the
    // responses one (the source header says which topic a letter came from).
    this.responses =
        new ReplyListener<>(
            clients.responseConsumer(), Topics.RESPONSES.name(), correlator::onResponse,
            Topics.RESPONSES_DLQ.name(), deadLetters);
    this.chunks =
        new ReplyListener<>(
            clients.chunkConsumer(), Topics.RESPONSE_CHUNKS.name(), correlator::onChunk,
            Topics.RESPONSES_DLQ.name(), deadLetters);
    final ObjectMapper mapper = new ObjectMapper();
    final Clock clock = Clock.systemUTC();
    final KeyDirectory keys =
        new KeyDirectory(config.virtualKeys(), managedKeys, config.anonymousCaller());
    this.openAi = new OpenAiDialect(new OpenAiChatNormalizer(clock), new OpenAiJson(mapper));
    final AnthropicDialect anthropic =
        new AnthropicDialect(new AnthropicNormalizer(clock), new AnthropicJson(mapper));
    final HandlerContext context = new HandlerContext(
        keys, limiter, models, correlator, mapper, config.maxRequestBytes(), metrics,
        config.replyTimeout(), answers, openAi);
    this.chatCompletions = new ChatHandler(openAi, context);
    this.messages = new ChatHandler(anthropic, context);
    this.embeddings = new ChatHandler(
        new EmbeddingsDialect(new OpenAiEmbeddingsNormalizer(clock), new OpenAiJson(mapper), mapper),
        context);
    this.modelsList = new ModelsHandler(context, anthropic);
    this.openRouterChat = new ChatHandler(
        new OpenRouterDialect(new OpenAiChatNormalizer(clock), mapper, models), context);
    this.openRouterModels = new OpenRouterModelsHandler(models, routes, mapper);
    final ResponsesDialect responses = new ResponsesDialect(
        new ResponsesNormalizer(clock), new ResponsesJson(mapper), responseStore);
    this.responsesCreate = new ChatHandler(responses, context);
    this.storedResponses = new StoredResponsesHandler(keys, responses);
    this.kiloAccount = new KiloAccount(context, new TenantBalances(budgets, budgetStates, clock));
  }

  /** Starts the reply readers (at the end of their topics), then the HTTP server. */
  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("ingress service is closed");
    }
    if (server != null) {
      return;
    }
    managedKeys.start();
    models.start();
    routes.start();
    budgets.start();
    budgetStates.start();
    responses.start();
    chunks.start();
    requireAKey();
    limitSync.start();
    answers.start();
    responseStore.start();
    if (config.metricsPort() != IngressConfig.NO_METRICS_PORT) {
      metricsServer = metricsHttpServer().bindNow(BIND_TIMEOUT);
      LOG.info("ingress metrics on {}:{}/metrics", config.host(), metricsServer.port());
    }
    server = httpServer().bindNow(BIND_TIMEOUT);
    LOG.info("ingress listening on {}:{}", config.host(), server.port());
  }

  /**
   * Without bootstrap keys, reads the managed keys to their end and refuses to start when none is
   * usable: outside demo mode there is no key anyone could know in advance.
   */
  private void requireAKey() {
    if (config.virtualKeys().size() > 0) {
      return;
    }
    final boolean read;
    try {
      read = managedKeys.awaitCaughtUp(KEYS_READ_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the virtual keys", e);
    }
    if (!read) {
      throw new NoVirtualKeysException("no bootstrap keys, and " + Topics.VIRTUAL_KEYS.name()
          + " could not be read to its end within " + KEYS_READ_TIMEOUT.toSeconds() + " s");
    }
    if (managedKeys.snapshot().values().stream().allMatch(VirtualKey::getRevoked)) {
      throw new NoVirtualKeysException("no virtual keys configured");
    }
  }

  /**
   * Ready to serve: the key, model and route tables have been read to their end (before that an
   * unknown model or a new key could be judged on a partial table) and the reply readers run.
   */
  public boolean isReady() {
    return managedKeys.isCaughtUp() && models.isCaughtUp() && routes.isCaughtUp()
        && responseStore.isCaughtUp() && isUp();
  }

  /** Waits (bounded) until {@link #isReady}; false when the time ran out first. */
  public boolean awaitReady(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    for (final LiveTable<?> table : java.util.List.of(managedKeys, models, routes)) {
      final Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      if (!table.awaitCaughtUp(left)) {
        return false;
      }
    }
    if (!responseStore.awaitCaughtUp(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
      return false;
    }
    return isReady();
  }

  /**
   * {@code GET /metrics} on its own port, without a key: scrapers reach it, the public API port
   * does not expose it. {@code /health} and {@code /ready} are there too, for probes.
   */
  private HttpServer metricsHttpServer() {
    return server(config.metricsPort())
        .route(
            routes ->
                routes
                    .get(
                        "/metrics",
                        (request, response) ->
                            response
                                .header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT)
                                .sendString(Mono.fromCallable(metrics::scrape)))
                    .get("/health", this::health)
                    .get("/ready", this::ready)
                    .route(request -> true, this::notFound));
  }

  private HttpServer httpServer() {
    return server(config.port())
        .requestTimeout(REQUEST_READ_TIMEOUT)
        .httpRequestDecoder(spec -> spec.maxHeaderSize(MAX_HEADER_BYTES))
        .route(this::registerRoutes);
  }

  /** A server on the ingress's event loops and host, with the timeouts every one of its ports has. */
  private HttpServer server(final int port) {
    return HttpServer.create()
        .runOn(eventLoops)
        .host(config.host())
        .port(port)
        .readTimeout(READ_TIMEOUT)
        .idleTimeout(IDLE_TIMEOUT);
  }

  /** One way to answer an API route: the dialect tag its metrics carry and its handler. */
  private record Surface(
      String dialect, BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {}

  /**
   * One API route: served as OpenAI serves it under {@code /v1}, and as OpenRouter/Kilo serve it
   * under every {@link #KILO_PREFIXES} prefix.
   */
  private record ApiRoute(boolean post, String path, Surface v1, Surface kilo) {}

  /** Every API route; a new one added here is served under {@code /v1} and each Kilo prefix. */
  private List<ApiRoute> apiRoutes() {
    final Surface anthropic = new Surface("anthropic", whenReady(messages));
    final Surface responses = new Surface("responses", whenReady(responsesCreate));
    final Surface embeddingsSurface = new Surface("openai", whenReady(embeddings));
    return List.of(
        new ApiRoute(true, "/chat/completions",
            new Surface("openai", whenReady(chatCompletions)),
            new Surface("openrouter", whenReady(openRouterChat))),
        new ApiRoute(true, "/messages", anthropic, anthropic),
        new ApiRoute(true, "/responses", responses, responses),
        new ApiRoute(true, "/embeddings", embeddingsSurface, embeddingsSurface),
        new ApiRoute(false, "/models",
            new Surface("none", modelsList),
            new Surface("openrouter", openRouterModels)));
  }

  private void registerRoutes(final HttpServerRoutes routes) {
    for (final ApiRoute api : apiRoutes()) {
      register(routes, api.post(), "/v1" + api.path(), api.v1());
      for (final String prefix : KILO_PREFIXES) {
        register(routes, api.post(), prefix + api.path(), api.kilo());
      }
    }
    // A stored response is read and deleted by its id under /v1 only, as OpenAI serves it.
    routes
        .get("/v1/responses/{id}", metered(
            "/v1/responses/{id}", "responses", whenReady(storedResponses::retrieve)))
        .delete("/v1/responses/{id}", metered(
            "/v1/responses/{id}", "responses", whenReady(storedResponses::delete)));
    register(routes, false, "/api/profile", new Surface("kilo", kiloAccount::profile));
    register(routes, false, "/api/profile/balance", new Surface("kilo", kiloAccount::balance));
    register(routes, false, "/api/defaults", new Surface("kilo", kiloAccount::defaults));
    register(routes, false, "/api/organizations/{id}/defaults",
        new Surface("kilo", kiloAccount::defaults));
    routes
        .get("/health", metered("/health", "none", this::health))
        .get("/ready", metered("/ready", "none", this::ready))
        .route(request -> true, metered(UNMATCHED, "none", this::notFound));
  }

  /** The route's metrics tag is its path template: a fixed set, never a caller's raw path. */
  private void register(
      final HttpServerRoutes routes, final boolean post, final String path,
      final Surface surface) {
    final BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler =
        metered(path, surface.dialect(), surface.handler());
    if (post) {
      routes.post(path, handler);
    } else {
      routes.get(path, handler);
    }
  }

  /**
   * Times and traces one route from the request's arrival to its last byte out (or the client
   * leaving); the trace rides in the chain's context (see {@link RequestTrace}).
   */
  private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> metered(
      final String route,
      final String dialect,
      final BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
    return (request, response) -> {
      final long started = System.nanoTime();
      final RequestTrace trace = RequestTrace.start(request, response, route, dialect, started);
      return Mono.defer(() -> Mono.from(handler.apply(request, response)))
          .doFinally(
              signal -> {
                final String status = status(signal, response);
                metrics.request(
                    route, dialect, status, Duration.ofNanos(System.nanoTime() - started));
                trace.end(response, status);
              })
          .contextWrite(context -> context.put(RequestTrace.class, trace));
    };
  }

  /**
   * The status sent; a client that left before any was sent is {@code cancelled}. Reactor Netty
   * may cancel a handler after its reply went out (e.g. a request body left unread), so a cancel
   * after the headers keeps the status that was sent.
   */
  private static String status(final SignalType signal, final HttpServerResponse response) {
    if (!response.hasSentHeaders()) {
      if (signal == SignalType.CANCEL) {
        return IngressMetrics.CANCELLED;
      }
      if (signal == SignalType.ON_ERROR) {
        return Integer.toString(HttpResponseStatus.INTERNAL_SERVER_ERROR.code());
      }
    }
    return Integer.toString(response.status().code());
  }

  /** A chat route answers 503 until the tables are read: a partial table would misjudge a request. */
  private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> whenReady(
      final BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
    return (request, response) -> isReady()
        ? handler.apply(request, response)
        : HttpReplies.error(response, GatewayException.serverError(503, "not_ready",
            "The gateway is starting: its key and model tables are not read yet; retry shortly."),
            null, openAi);
  }

  private boolean isUp() {
    return responses.isAlive() && chunks.isAlive() && managedKeys.isAlive() && models.isAlive()
        && routes.isAlive() && answers.isAlive() && responseStore.isAlive();
  }

  /** 200 once {@link #isReady}; the Kubernetes readiness probe. */
  private Publisher<Void> ready(
      final HttpServerRequest request, final HttpServerResponse response) {
    return probe(response, isReady(), "READY", "NOT_READY");
  }

  private Publisher<Void> health(
      final HttpServerRequest request, final HttpServerResponse response) {
    return probe(response, isUp(), "UP", "DOWN");
  }

  /** A probe's answer: 200 and the passing status, else 503 and the failing one. */
  private static Publisher<Void> probe(
      final HttpServerResponse response, final boolean passing, final String pass,
      final String fail) {
    return HttpReplies.send(
        response,
        passing ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
        "{\"status\":\"" + (passing ? pass : fail) + "\"}");
  }

  private Publisher<Void> notFound(
      final HttpServerRequest request, final HttpServerResponse response) {
    return HttpReplies.error(
        response, GatewayException.notFound(request.method().name(), request.path()), null,
        openAi);
  }

  /** The bound HTTP port (useful with port 0). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("ingress service is not started");
    }
    return server.port();
  }

  /** The bound metrics port (useful with port 0); -1 when metrics are off. */
  public synchronized int metricsPort() {
    if (server == null) {
      throw new IllegalStateException("ingress service is not started");
    }
    return metricsServer == null ? IngressConfig.NO_METRICS_PORT : metricsServer.port();
  }

  /** This instance's metrics (also served at {@code /metrics} on the metrics port). */
  public IngressMetrics metrics() {
    return metrics;
  }

  /** This instance's rate limiter (its id names the instance in {@code tiergate.limit-counts}). */
  public RateLimiter rateLimiter() {
    return limiter;
  }

  /** Requests waiting for replies right now. */
  public int pendingCount() {
    return correlator.pendingCount();
  }

  /** The ingress stops only when closed: nothing it runs ends it on its own. */
  @Override
  public Optional<Throwable> awaitStopped() {
    awaitClose();
    return Optional.empty();
  }

  /** Blocks the calling thread until the server is closed. */
  public void awaitClose() {
    final DisposableServer running;
    synchronized (this) {
      running = server;
    }
    if (running != null) {
      running.onDispose().block();
    }
  }

  /** Fails pending requests with 503, then stops the server, readers and producer. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      correlator.close();
      if (server != null) {
        server.disposeNow(CLOSE_TIMEOUT);
      }
      if (metricsServer != null) {
        metricsServer.disposeNow(CLOSE_TIMEOUT);
      }
      eventLoops.disposeLater().block(CLOSE_TIMEOUT);
    } finally {
      responses.close();
      chunks.close();
      limitSync.close();
      answers.close();
      responseStore.close();
      cancels.close();
      deadLetters.close();
      managedKeys.close();
      models.close();
      routes.close();
      budgets.close();
      budgetStates.close();
      producer.close(CLOSE_TIMEOUT);
      metrics.close();
      LOG.info("ingress stopped");
    }
  }
}
