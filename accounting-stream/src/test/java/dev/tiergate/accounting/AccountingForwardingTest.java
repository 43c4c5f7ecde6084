package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Forwarding to the instance that owns a tenant: the owner is a recording HTTP server, and another
 * one plays a host an attacker names in the request target.
 */
class AccountingForwardingTest {

  private static final String KEY = "key-t";

  @TempDir Path stateDir;

  private final List<String> ownerSaw = new CopyOnWriteArrayList<>();
  private final List<String> attackerSaw = new CopyOnWriteArrayList<>();
  private DisposableServer owner;
  private DisposableServer attacker;
  private AccountingMetrics metrics;
  private AccountingHttpServer server;

  @BeforeEach
  void start() {
    owner = recorder(ownerSaw);
    attacker = recorder(attackerSaw);
    metrics = new AccountingMetrics();
    final VirtualKeyTable keys = VirtualKeyTable.of(KEY + "=t:balanced", hash -> null);
    final QueryRouter remote = (store, tenant) ->
        QueryRouter.Target.remote(new HostInfo("127.0.0.1", owner.port()));
    server = new AccountingHttpServer(
            new AccountingHttpServer.Sources(
                new UnusedStores(), remote, keys, () -> KafkaStreams.State.RUNNING),
            Clock.fixed(TestData.AT, ZoneOffset.UTC), metrics)
        .start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
    metrics.close();
    owner.disposeNow();
    attacker.disposeNow();
  }

  @Test
  void forwardsTheParsedPathAndQueryWithEitherKeyHeader() throws Exception {
    final HttpClient client = HttpClient.newHttpClient();
    final HttpResponse<String> bearer = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/v1/spend?by=model&window=day"))
        .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
    final HttpResponse<String> apiKey = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/v1/budgets"))
        .header("x-api-key", KEY).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(apiKey.statusCode()).isEqualTo(200);
    assertThat(ownerSaw).containsExactly(
        "/v1/spend?by=model&window=day auth=Bearer " + KEY + " x-api-key=null",
        "/v1/budgets auth=null x-api-key=" + KEY);
  }

  @Test
  void refusesAbsoluteFormAndAuthorityTargetsWith400() throws IOException {
    final String evil = "127.0.0.1:" + attacker.port();
    for (final String target : List.of("http://" + evil + "/v1/spend", "@" + evil + "/v1/spend")) {
      assertThat(rawGet(target)).as(target).startsWith("HTTP/1.1 400");
    }
    assertThat(attackerSaw).isEmpty();
    assertThat(ownerSaw).isEmpty();
  }

  private String rawGet(final String target) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      final OutputStream out = socket.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      final InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static DisposableServer recorder(final List<String> seen) {
    return HttpServer.create().host("127.0.0.1").port(0)
        .handle((request, response) -> {
          seen.add(request.uri() + " auth=" + request.requestHeaders().get("authorization")
              + " x-api-key=" + request.requestHeaders().get("x-api-key"));
          return response.header("content-type", "application/json")
              .sendString(Mono.just("{\"forwarded\":true}"));
        })
        .bindNow(Duration.ofSeconds(10));
  }

  /** No query runs here: every tenant is owned elsewhere. */
  private static final class UnusedStores implements AccountingStores {
    @Override
    public org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, dev.tiergate.schemas.SpendAggregate>
        total(final java.util.OptionalInt partition) {
      throw new AssertionError("not local");
    }

    @Override
    public org.apache.kafka.streams.state.ReadOnlyWindowStore<String, dev.tiergate.schemas.SpendAggregate>
        windowed(final SpendWindow window, final java.util.OptionalInt partition) {
      throw new AssertionError("not local");
    }

    @Override
    public org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, dev.tiergate.schemas.BudgetState>
        budgetStates(final java.util.OptionalInt partition) {
      throw new AssertionError("not local");
    }

    @Override
    public org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, dev.tiergate.schemas.Budget> budgets() {
      throw new AssertionError("not local");
    }

    @Override
    public org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, dev.tiergate.schemas.VirtualKey>
        virtualKeys() {
      throw new AssertionError("not local");
    }
  }

}
