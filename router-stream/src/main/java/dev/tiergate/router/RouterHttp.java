package dev.tiergate.router;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's small operational HTTP endpoint: {@code GET /metrics} (Prometheus text format) and
 * {@code GET /health} (200 with the Streams state when RUNNING or REBALANCING, else 503). The JDK's
 * built-in server is enough for two scrape-rate routes and adds no dependency to a Streams app.
 */
final class RouterHttp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RouterHttp.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private RouterHttp(final HttpServer server) {
    this.server = server;
  }

  /** Starts serving on the port (0 = a free one) of all interfaces. */
  static RouterHttp start(
      final int port, final PrometheusMeterRegistry registry, final Supplier<State> state) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(state, "state");
    try {
      final HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
      server.createContext("/metrics", exchange -> reply(exchange, 200, PROMETHEUS_TEXT,
          registry.scrape()));
      server.createContext("/health", exchange -> health(exchange, state.get()));
      server.start();
      LOG.info("router metrics and health on port {}", server.getAddress().getPort());
      return new RouterHttp(server);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on router port " + port, e);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static void health(final HttpExchange exchange, final State state) throws IOException {
    final boolean up = state == State.RUNNING || state == State.REBALANCING;
    reply(exchange, up ? 200 : 503, "application/json", "{\"status\":\"" + state + "\"}");
  }

  private static void reply(
      final HttpExchange exchange, final int status, final String type, final String body)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
