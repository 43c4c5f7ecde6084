package dev.tiergate.dispatcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's small operational HTTP endpoint: {@code GET /metrics} (Prometheus text format)
 * and {@code GET /health} (200 while the worker runs, else 503). The JDK's built-in server, as in
 * the router: two scrape-rate routes need no event loop of their own.
 */
final class DispatcherHttp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DispatcherHttp.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private DispatcherHttp(final HttpServer server) {
    this.server = server;
  }

  /** Starts serving on the port (0 = a free one) of all interfaces. */
  static DispatcherHttp start(
      final int port, final PrometheusMeterRegistry registry, final BooleanSupplier running) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(running, "running");
    try {
      final HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
      server.createContext("/metrics", exchange -> reply(exchange, 200, PROMETHEUS_TEXT, registry.scrape()));
      server.createContext("/health", exchange -> {
        final boolean up = running.getAsBoolean();
        reply(exchange, up ? 200 : 503, "application/json", up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
      });
      server.start();
      LOG.info("dispatcher metrics and health on port {}", server.getAddress().getPort());
      return new DispatcherHttp(server);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on dispatcher metrics port " + port, e);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
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
