package dev.tiergate.runtime;

import dev.tiergate.schemas.settings.Setting;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A service's operational HTTP endpoint, apart from any public API so scrapers and probes reach it
 * while clients do not: {@code GET /metrics} (Prometheus text format) and {@code GET /health} (200
 * while the service is up, else 503, with its state as JSON). Reactor Netty, as the public APIs: a
 * slow or half-sent request occupies no thread, and the timeouts below close it, so probes keep
 * their answers.
 */
public final class OpsServer implements AutoCloseable {

  /** Longest pause between two reads of a request body. */
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  /** Longest time to read one whole request. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** How long a connection without a whole request stays open (a half-sent header ends here). */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_HEADER_BYTES = 8 * 1024;
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** All interfaces: probes and scrapers reach a pod at its own address. */
  public static final String DEFAULT_HOST = "0.0.0.0";

  /**
   * The setting of a service's own ops port: a free one by default, -1 for none.
   *
   * @param boundPort where the port picked for 0 can be read, e.g. {@code RouterService.port()}
   */
  public static Setting<Integer> portSetting(final String name, final String boundPort) {
    return Setting.portOrOff(name).withDefault(0)
        .withDescription("port of `GET /metrics` (Prometheus) and `GET /health`; 0 picks a free"
            + " one (logged, and `" + boundPort + "`), -1 turns it off");
  }

  /** The setting of the interface that port binds, listed right after it. */
  public static Setting<String> hostSetting(final String name) {
    return Setting.text(name).withDefault(DEFAULT_HOST)
        .withDescription("interface of that port (`127.0.0.1` keeps it local; probes reach a"
            + " pod at its address)");
  }

  /** What {@code /health} says: up or not, and the state it names (e.g. a Streams state). */
  public record Health(boolean up, String state) {
    public Health {
      Objects.requireNonNull(state, "state");
    }

    public static Health of(final boolean up) {
      return new Health(up, up ? "UP" : "DOWN");
    }
  }

  private final DisposableServer server;

  private OpsServer(final DisposableServer server) {
    this.server = server;
  }

  /**
   * Starts serving on the interface and port (0 = a free one).
   *
   * @param service the service's name, for the log line
   * @param scrape the Prometheus text of the service's metrics (called off the event loop)
   * @param health the service's health now
   */
  public static OpsServer start(
      final String service, final String host, final int port, final Supplier<String> scrape,
      final Supplier<Health> health) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(scrape, "scrape");
    Objects.requireNonNull(health, "health");
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
                .sendString(Mono.fromCallable(scrape::get).subscribeOn(Schedulers.boundedElastic())))
            .get("/health", (request, response) -> {
              final Health current = health.get();
              return response
                  .status(current.up() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE)
                  .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                  .sendString(Mono.just("{\"status\":\"" + current.state() + "\"}"));
            })
            .route(request -> true, (request, response) -> response.sendNotFound()))
        .bindNow(BIND_TIMEOUT);
    LOG.info("{} metrics and health on {}:{}", service, host, server.port());
    return new OpsServer(server);
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.disposeNow(CLOSE_TIMEOUT);
  }
}
