package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A plain java.net.http client for the tests, so they exercise the simulator over real HTTP. */
final class SimulatorHttp {

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String baseUrl;

  SimulatorHttp(final String baseUrl) {
    this.baseUrl = baseUrl;
  }

  HttpResponse<String> post(final String path, final String body, final Map<String, String> headers) {
    try {
      return client.send(request(path, body, headers), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> post(final String body) {
    return post("/v1/chat/completions", body, Map.of());
  }

  HttpRequest request(final String path, final String body, final Map<String, String> headers) {
    final HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .header("authorization", "Bearer sk-test-not-a-real-key")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(builder::header);
    return builder.build();
  }

  HttpClient client() {
    return client;
  }

  /** The JSON payloads of an SSE body's {@code data:} lines, {@code [DONE]} kept as text. */
  static List<String> dataLines(final String sseBody) {
    final List<String> data = new ArrayList<>();
    for (final String line : sseBody.split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring("data: ".length()));
      }
    }
    return data;
  }

  static JsonNode parse(final String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A chat request with one user message. */
  static String chat(final String model, final String userText) {
    return JSON.createObjectNode()
        .put("model", model)
        .set(
            "messages",
            JSON.createArrayNode()
                .add(JSON.createObjectNode().put("role", "system").put("content", "Be brief."))
                .add(JSON.createObjectNode().put("role", "user").put("content", userText)))
        .toString();
  }
}
