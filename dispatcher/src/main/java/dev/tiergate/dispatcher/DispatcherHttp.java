package dev.tiergate.dispatcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The dispatcher's operational HTTP endpoint: {@code GET /metrics} (Prometheus text format) and
 * {@code GET /health} (200 while the worker runs, else 503). Reactor Netty, as the public APIs: a
 * slow or half-sent request occupies no thread, and the timeouts below close it, so probes keep
 * their answers.
 */
final class DispatcherHttp implements AutoCloseable {

  /** Longest pause between two reads of a request body. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  /** Longest time to read one whole request. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** How long a connection without a whole request stays open (a half-sent header ends here). */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_HEADER_BYTES = 8 * 1024;
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(DispatcherHttp.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final DisposableServer server;

  private DispatcherHttp(final DisposableServer server) {
    this.server = server;
  }

  /** Starts serving on the interface and port (0 = a free one). */
  static DispatcherHttp start(
      final String host, final int port, final PrometheusMeterRegistry registry,
      final BooleanSupplier running) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(running, "running");
    final DisposableServer server = HttpServer.create()
        .host(host)
        .port(port)
        .readTimeout(READ_TIMEOUT)
        .requestTimeout(REQUEST_TIMEOUT)
        .idleTimeout(IDLE_TIMEOUT)
        .httpRequestDecoder(spec -> spec.maxHeaderSize(MAX_HEADER_BYTES))
        .route(routes -> routes
            .get("/metrics", (request, response) -> response
                .header(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT)
                .sendString(Mono.fromCallable(registry::scrape).subscribeOn(Schedulers.boundedElastic())))
            .get("/health", (request, response) -> {
              final boolean up = running.getAsBoolean();
              return response
                  .status(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE)
                  .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                  .sendString(Mono.just(up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}"));
            })
            .route(request -> true, (request, response) -> response.sendNotFound()))
        .bindNow(BIND_TIMEOUT);
    LOG.info("dispatcher metrics and health on {}:{}", host, server.port());
    return new DispatcherHttp(server);
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.disposeNow(CLOSE_TIMEOUT);
  }
}
