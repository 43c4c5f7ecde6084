package dev.tiergate.accounting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
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
 * The accounting query API: {@code GET /v1/spend?tenant=T&by=mode[&window=total]} and {@code GET
 * /health}. Store reads and JSON writing hop off the event loop onto the bounded-elastic scheduler.
 */
public final class AccountingHttpServer implements AutoCloseable {

  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
  static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(AccountingHttpServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SpendQuery query;
  private final Supplier<KafkaStreams.State> state;
  private final Clock clock;
  private final AtomicReference<DisposableServer> server = new AtomicReference<>();

  /**
   * @param state the Streams app's current state; health is 200 only while it is RUNNING
   */
  public AccountingHttpServer(
      final SpendQuery query, final Supplier<KafkaStreams.State> state, final Clock clock) {
    this.query = Objects.requireNonNull(query, "query");
    this.state = Objects.requireNonNull(state, "state");
    this.clock = Objects.requireNonNull(clock, "clock");
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
            .route(routes -> routes.get("/v1/spend", this::spend).get("/health", this::health))
            .bindNow(BIND_TIMEOUT);
    if (!server.compareAndSet(null, bound)) {
      bound.disposeNow();
      throw new IllegalStateException("already started");
    }
    LOG.info("accounting query API listening on {}:{}", host, bound.port());
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

  private Publisher<Void> spend(final HttpServerRequest request, final HttpServerResponse response) {
    final Map<String, List<String>> params = new QueryStringDecoder(request.uri()).parameters();
    final Optional<String> tenant = param(params, "tenant");
    if (tenant.isEmpty()) {
      return error(response, HttpResponseStatus.BAD_REQUEST, "invalid_request", "tenant is required");
    }
    final String byLabel = param(params, "by").orElse(SpendDimension.MODE.label());
    final Optional<SpendDimension> by = SpendDimension.fromLabel(byLabel);
    if (by.isEmpty()) {
      return error(response, HttpResponseStatus.BAD_REQUEST, "invalid_request",
          "by must be one of " + SpendDimension.labels() + ": " + byLabel);
    }
    final String windowLabel = param(params, "window").orElse(SpendWindow.TOTAL.label());
    final Optional<SpendWindow> window = SpendWindow.fromLabel(windowLabel);
    if (window.isEmpty()) {
      return error(response, HttpResponseStatus.BAD_REQUEST, "invalid_request",
          "window must be one of " + SpendWindow.labels() + ": " + windowLabel);
    }
    return Mono.fromCallable(
            () -> toJson(query.spend(tenant.get(), by.get(), window.get(), clock.instant())))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(body -> send(response, HttpResponseStatus.OK, body))
        .onErrorResume(
            SpendUnavailableException.class,
            e -> error(response, HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable",
                e.getMessage()))
        .onErrorResume(e -> internalError(response, e));
  }

  private Publisher<Void> health(final HttpServerRequest request, final HttpServerResponse response) {
    final KafkaStreams.State current = state.get();
    final HttpResponseStatus status =
        current == KafkaStreams.State.RUNNING
            ? HttpResponseStatus.OK
            : HttpResponseStatus.SERVICE_UNAVAILABLE;
    return send(response, status, toJson(Map.of("status", String.valueOf(current))));
  }

  private static Optional<String> param(final Map<String, List<String>> params, final String name) {
    return params.getOrDefault(name, List.of()).stream().filter(v -> !v.isBlank()).findFirst();
  }

  private static Mono<Void> internalError(final HttpServerResponse response, final Throwable e) {
    LOG.error("spend query failed", e);
    return error(response, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error",
        "spend query failed");
  }

  private static Mono<Void> error(
      final HttpServerResponse response,
      final HttpResponseStatus status,
      final String type,
      final String message) {
    final Map<String, Object> body = Map.of("error", Map.of("type", type, "message", message));
    return send(response, status, toJson(body));
  }

  private static Mono<Void> send(
      final HttpServerResponse response, final HttpResponseStatus status, final byte[] body) {
    return response
        .status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .sendByteArray(Mono.just(body))
        .then();
  }

  private static byte[] toJson(final Object body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
