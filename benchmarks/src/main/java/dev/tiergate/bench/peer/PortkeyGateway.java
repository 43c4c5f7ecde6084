package dev.tiergate.bench.peer;

import dev.tiergate.stack.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Portkey's open-source gateway ({@code @portkey-ai/gateway}, installed by {@code benchmarks/run.sh}
 * into {@code benchmarks/peer}) as a child Node process, so the same load generator can drive it in
 * front of the same provider simulator. Requests choose the upstream with Portkey's own headers.
 */
public final class PortkeyGateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PortkeyGateway.class);
  static final String SERVER_SCRIPT = "node_modules/@portkey-ai/gateway/build/start-server.js";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;

  private PortkeyGateway(final Process process, final int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the gateway from {@code peerDir} and returns once it accepts connections. */
  public static PortkeyGateway start(final Path peerDir, final Path logFile) {
    Objects.requireNonNull(peerDir, "peerDir");
    Objects.requireNonNull(logFile, "logFile");
    final Path script = peerDir.resolve(SERVER_SCRIPT);
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException(
          "Portkey gateway not installed at " + script + "; run benchmarks/run.sh (npm install)");
    }
    final int port = FreePorts.pick();
    try {
      final ProcessBuilder builder =
          new ProcessBuilder(List.of("node", script.toAbsolutePath().toString(), "--port=" + port, "--headless"))
              .directory(peerDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      builder.environment().putAll(Map.of("NODE_ENV", "production"));
      final PortkeyGateway gateway = new PortkeyGateway(builder.start(), port);
      gateway.awaitReady();
      LOG.info("Portkey gateway listening on port {}", port);
      return gateway;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the Portkey gateway", e);
    }
  }

  /** The OpenAI-compatible endpoint. */
  public String chatCompletionsUrl() {
    return "http://127.0.0.1:" + port + "/v1/chat/completions";
  }

  /** Portkey's headers that send a request to an OpenAI-format upstream at {@code baseUrl}. */
  public static Map<String, String> upstreamHeaders(final String baseUrl, final String apiKey) {
    return Map.of(
        "x-portkey-provider", "openai",
        "x-portkey-custom-host", baseUrl,
        "Authorization", "Bearer " + apiKey);
  }

  private void awaitReady() {
    final long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Portkey gateway exited with " + process.exitValue());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      }
    }
    close();
    throw new IllegalStateException("Portkey gateway not listening after " + READY_TIMEOUT);
  }

  /** CPU time the gateway's process has used so far (Node is one process: the whole gateway). */
  public Duration cpuTime() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
