package dev.tiergate.accounting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The accounting query API and dashboard. Data routes ({@code /v1/spend}, {@code
 * /v1/spend/series}, {@code /v1/budgets}) need a virtual key and show only that key's tenant; each
 * is answered by the instance that owns the tenant's partition, forwarded there once when that is
 * another instance, and refused with 503 while ownership is unknown. {@code /dashboard} and {@code
 * /health} need no key (the page asks for one); {@code /metrics} is on its own port ({@link
 * dev.tiergate.runtime.OpsServer}). Store reads, JSON writing and forwarding run off the event loop.
 */
final class AccountingHttpServer implements AutoCloseable {

  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
  static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);
  /** Set on a forwarded query, so it is never forwarded a second time. */
  static final String FORWARDED_HEADER = "x-tiergate-forwarded";
  static final String JSON_TYPE = "application/json";

  private static final Logger LOG = LoggerFactory.getLogger(AccountingHttpServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BEARER = "Bearer ";
  private static final String API_KEY_HEADER = "x-api-key";
  private static final int MAX_BUCKETS = 400;

  private final Sources sources;
  private final Clock clock;
  private final AccountingMetrics metrics;
  private final HttpClient forwarder =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicReference<DisposableServer> server = new AtomicReference<>();
  private final byte[] dashboardPage = resource("dashboard.html");

  /** What a data route answers when the query runs here. */
  private record Reply(HttpResponseStatus status, String contentType, byte[] body) {}

  /**
   * What the server answers from.
   *
   * @param stores the stores queries read on this instance
   * @param router decides which instance answers a tenant's query
   * @param keys which tenant a presented key may see
   * @param state the Streams app's current state; health is 200 only while it is RUNNING
   */
  record Sources(
      AccountingStores stores,
      QueryRouter router,
      VirtualKeyTable keys,
      Supplier<KafkaStreams.State> state) {}

  AccountingHttpServer(final Sources sources, final Clock clock, final AccountingMetrics metrics) {
    this.sources = sources;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Binds the server; returns once it listens. Port 0 picks a free port (see {@link #port()}). */
  public AccountingHttpServer start(final String host, final int port) {
    Objects.requireNonNull(host, "host");
    final DisposableServer bound =
        HttpServer.create()
            .host(host)
            .port(port)
            .readTimeout(READ_TIMEOUT)
            .requestTimeout(REQUEST_TIMEOUT)
            .idleTimeout(IDLE_TIMEOUT)
            .route(routes -> routes
                .get("/v1/spend", (req, res) -> data(req, res, "spend", this::spend))
                .get("/v1/spend/series", (req, res) -> data(req, res, "series", this::series))
                .get("/v1/budgets", (req, res) -> data(req, res, "budgets", this::budgets))
                .get("/dashboard", this::dashboard)
                .get("/", (req, res) -> res.sendRedirect("/dashboard"))
                .get("/health", this::health))
            .bindNow(BIND_TIMEOUT);
    if (!server.compareAndSet(null, bound)) {
      bound.disposeNow();
      throw new IllegalStateException("already started");
    }
    LOG.info("accounting query API and dashboard listening on {}:{}", host, bound.port());
    return this;
  }

  /** The bound port. */
  public int port() {
    final DisposableServer bound = server.get();
    if (bound == null) {
      throw new IllegalStateException("not started");
    }
    return bound.port();
  }

  @Override
  public void close() {
    final DisposableServer bound = server.getAndSet(null);
    if (bound != null) {
      bound.disposeNow();
    }
  }

  /** One data query, answered here for the tenant's partition. */
  @FunctionalInterface
  private interface Query {
    Object run(String tenant, Map<String, List<String>> params, QueryRouter.Target target);
  }

  private Publisher<Void> data(
      final HttpServerRequest request,
      final HttpServerResponse response,
      final String route,
      final Query query) {
    final long started = System.nanoTime();
    if (!ForwardTarget.isOriginForm(request.uri())) {
      // An absolute-form or authority-like target is never answered, nor forwarded anywhere.
      metrics.request(route, HttpResponseStatus.BAD_REQUEST.code(), Duration.ofNanos(System.nanoTime() - started));
      return send(response, error(HttpResponseStatus.BAD_REQUEST, "invalid_request",
          "the request target must be a path starting with '/'"));
    }
    return Mono.defer(() -> answer(request, route, query))
        .subscribeOn(Schedulers.boundedElastic())
        .onErrorResume(e -> Mono.just(failure(e)))
        .flatMap(reply -> {
          metrics.request(route, reply.status().code(), Duration.ofNanos(System.nanoTime() - started));
          return send(response, reply);
        });
  }

  private Mono<Reply> answer(
      final HttpServerRequest request, final String route, final Query query) {
    final Map<String, List<String>> params = new QueryStringDecoder(request.uri()).parameters();
    final Optional<String> tenant = sources.keys().tenant(presentedKey(request));
    if (tenant.isEmpty()) {
      return Mono.just(error(HttpResponseStatus.UNAUTHORIZED, "authentication_error",
          "a valid virtual key is required (Authorization: Bearer <key>)"));
    }
    final Optional<String> asked = param(params, "tenant");
    if (asked.isPresent() && !asked.get().equals(tenant.get())) {
      return Mono.just(error(HttpResponseStatus.FORBIDDEN, "permission_error",
          "this key may only read its own tenant"));
    }
    final String store = "budgets".equals(route)
        ? AccountingTopology.BUDGET_STATE_STORE : AccountingTopology.SPEND_STORE;
    final QueryRouter.Target target = sources.router().route(store, tenant.get());
    return switch (target.kind()) {
      case UNAVAILABLE -> Mono.just(unavailable(target.reason()));
      case REMOTE -> request.requestHeaders().contains(FORWARDED_HEADER)
          ? Mono.just(unavailable("tenant ownership moved while forwarding"))
          : forward(request, target.host());
      case LOCAL -> Mono.fromCallable(
          () -> ok(query.run(tenant.get(), params, target)));
    };
  }

  private Object spend(
      final String tenant, final Map<String, List<String>> params, final QueryRouter.Target target) {
    final SpendDimension by = dimension(params);
    final SpendWindow window = keptWindow(by, window(params, SpendWindow.TOTAL));
    return new SpendQuery(sources.stores()).spend(new SpendScope(tenant, by, window), at(params),
        target.partition(), page(params));
  }

  private Object series(
      final String tenant, final Map<String, List<String>> params, final QueryRouter.Target target) {
    final SpendDimension by = dimension(params);
    final SpendWindow window = window(params, by.keptIn(SpendWindow.HOUR)
        ? SpendWindow.HOUR : SpendWindow.DAY);
    if (!window.windowed()) {
      throw new BadRequest("series needs window hour, day or month");
    }
    keptWindow(by, window);
    final int buckets = buckets(params);
    final Instant to = at(params);
    Instant from = window.start(to);
    for (int i = 1; i < buckets; i++) {
      from = window.start(from.minusMillis(1));
    }
    return new SpendQuery(sources.stores()).series(new SpendScope(tenant, by, window), from, to,
        target.partition());
  }

  private Object budgets(
      final String tenant, final Map<String, List<String>> params, final QueryRouter.Target target) {
    final BudgetQuery query = new BudgetQuery(sources.stores());
    return Map.of("tenant", tenant,
        "budgets", query.budgets(tenant, at(params), target.partition()));
  }

  /** Sends the query to the owning instance once and relays its answer. */
  private Mono<Reply> forward(final HttpServerRequest request, final HostInfo owner) {
    final HttpRequest.Builder forwarded = HttpRequest.newBuilder(
            ForwardTarget.forOwner(owner, request.uri()))
        .timeout(FORWARD_TIMEOUT)
        .header(FORWARDED_HEADER, "1")
        .GET();
    final String authorization = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
    final String apiKey = request.requestHeaders().get(API_KEY_HEADER);
    // The owner authenticates the caller again, from whichever key header it sent.
    if (authorization != null) {
      forwarded.header("Authorization", authorization);
    }
    if (apiKey != null) {
      forwarded.header(API_KEY_HEADER, apiKey);
    }
    return Mono.fromFuture(
            () -> forwarder.sendAsync(forwarded.build(), HttpResponse.BodyHandlers.ofByteArray()))
        .map(reply -> new Reply(
            HttpResponseStatus.valueOf(reply.statusCode()), JSON_TYPE, reply.body()))
        .onErrorResume(e -> {
          LOG.warn("forwarding a query to {}:{} failed: {}", owner.host(), owner.port(),
              e.toString());
          return Mono.just(unavailable("owning instance not reachable"));
        });
  }

  private Publisher<Void> dashboard(
      final HttpServerRequest request, final HttpServerResponse response) {
    return send(response, new Reply(HttpResponseStatus.OK, "text/html; charset=utf-8",
        dashboardPage));
  }

  private Publisher<Void> health(final HttpServerRequest request, final HttpServerResponse response) {
    final KafkaStreams.State current = sources.state().get();
    final HttpResponseStatus status =
        current == KafkaStreams.State.RUNNING
            ? HttpResponseStatus.OK
            : HttpResponseStatus.SERVICE_UNAVAILABLE;
    return send(response, new Reply(status, JSON_TYPE,
        toJson(Map.of("status", String.valueOf(current)))));
  }

  private static String presentedKey(final HttpServerRequest request) {
    final String authorization = request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return authorization.substring(BEARER.length());
    }
    return request.requestHeaders().get(API_KEY_HEADER);
  }

  private static SpendDimension dimension(final Map<String, List<String>> params) {
    final String label = param(params, "by").orElse(SpendDimension.MODE.label());
    return SpendDimension.fromLabel(label).orElseThrow(() -> new BadRequest(
        "by must be one of " + SpendDimension.labels() + ": " + label));
  }

  private static SpendWindow window(
      final Map<String, List<String>> params, final SpendWindow fallback) {
    final String label = param(params, "window").orElse(fallback.label());
    return SpendWindow.fromLabel(label).orElseThrow(() -> new BadRequest(
        "window must be one of " + SpendWindow.labels() + ": " + label));
  }

  /** The window, if the dimension is kept in it; a 400 rather than an always-empty answer. */
  private static SpendWindow keptWindow(final SpendDimension by, final SpendWindow window) {
    if (!by.keptIn(window)) {
      throw new BadRequest(by.label() + " is kept only in windows " + by.windowLabels() + ": "
          + window.label());
    }
    return window;
  }

  private Instant at(final Map<String, List<String>> params) {
    final Optional<String> at = param(params, "at");
    try {
      return at.map(Instant::parse).orElseGet(clock::instant);
    } catch (DateTimeParseException e) {
      throw new BadRequest("at must be an ISO-8601 instant: " + at.get());
    }
  }

  private static int buckets(final Map<String, List<String>> params) {
    final String value = param(params, "buckets").orElse("24");
    try {
      final int buckets = Integer.parseInt(value);
      if (buckets < 1 || buckets > MAX_BUCKETS) {
        throw new BadRequest("buckets must be in [1, " + MAX_BUCKETS + "]: " + value);
      }
      return buckets;
    } catch (NumberFormatException e) {
      throw new BadRequest("buckets must be a number: " + value);
    }
  }

  /** {@code limit} (default 100, at most 1,000) and {@code cursor} (from {@code nextCursor}). */
  private static SpendPage page(final Map<String, List<String>> params) {
    try {
      return SpendPage.parse(param(params, "limit"), param(params, "cursor"));
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
  }

  private static Optional<String> param(final Map<String, List<String>> params, final String name) {
    return params.getOrDefault(name, List.of()).stream().filter(v -> !v.isBlank()).findFirst();
  }

  private static Reply ok(final Object body) {
    return new Reply(HttpResponseStatus.OK, JSON_TYPE, toJson(body));
  }

  private static Reply failure(final Throwable e) {
    if (e instanceof BadRequest bad) {
      return error(HttpResponseStatus.BAD_REQUEST, "invalid_request", bad.getMessage());
    }
    if (e instanceof SpendUnavailableException unavailable) {
      return unavailable(unavailable.getMessage());
    }
    LOG.error("query failed", e);
    return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", "query failed");
  }

  private static Reply unavailable(final String message) {
    return error(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", message);
  }

  private static Reply error(
      final HttpResponseStatus status, final String type, final String message) {
    return new Reply(status, JSON_TYPE,
        toJson(Map.of("error", Map.of("type", type, "message", message))));
  }

  private static Mono<Void> send(final HttpServerResponse response, final Reply reply) {
    final HttpServerResponse headed = response
        .status(reply.status())
        .header(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
        .header(HttpHeaderNames.CACHE_CONTROL, "no-store");
    if (reply.status() == HttpResponseStatus.SERVICE_UNAVAILABLE) {
      headed.header(HttpHeaderNames.RETRY_AFTER, "1");
    }
    return headed.sendByteArray(Mono.just(reply.body())).then();
  }

  private static byte[] toJson(final Object body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resource(final String name) {
    try (InputStream in = AccountingHttpServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A malformed query parameter: 400 with the reason. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(final String message) {
      super(message);
    }
  }
}
