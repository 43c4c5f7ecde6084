package dev.tiergate.accounting;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The accounting service's operational port: {@code GET /metrics} (Prometheus text format) and
 * {@code GET /health} (200 only while RUNNING), apart from the query API so scrapers and probes
 * reach it while the public Service does not.
 */
final class AccountingOpsHttp implements AutoCloseable {

  /** Longest pause between two reads of a request body. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  /** Longest time to read one whole request. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** How long a connection without a whole request stays open (a half-sent header ends here). */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_HEADER_BYTES = 8 * 1024;
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(AccountingOpsHttp.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final DisposableServer server;

  private AccountingOpsHttp(final DisposableServer server) {
    this.server = server;
  }

  /** Starts serving on the interface and port (0 = a free one). */
  static AccountingOpsHttp start(
      final String host, final int port, final AccountingMetrics metrics,
      final Supplier<KafkaStreams.State> state) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(state, "state");
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
                .sendString(Mono.fromCallable(metrics::scrape).subscribeOn(Schedulers.boundedElastic())))
            .get("/health", (request, response) -> {
              final KafkaStreams.State current = state.get();
              return response
                  .status(current == KafkaStreams.State.RUNNING
                      ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE)
                  .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                  .sendString(Mono.just("{\"status\":\"" + current + "\"}"));
            })
            .route(request -> true, (request, response) -> response.sendNotFound()))
        .bindNow(BIND_TIMEOUT);
    LOG.info("accounting metrics and health on {}:{}", host, server.port());
    return new AccountingOpsHttp(server);
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.disposeNow(CLOSE_TIMEOUT);
  }
}
