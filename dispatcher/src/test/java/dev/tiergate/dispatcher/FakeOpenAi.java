package dev.tiergate.dispatcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A tiny OpenAI Chat Completions server on loopback: answers are scripted per upstream model (a
 * queue, then a default), and every request is captured with its headers and body.
 */
public final class FakeOpenAi implements AutoCloseable {

  /** A scripted answer: a status, headers and either a JSON body or SSE events. */
  public record Reply(
      int status, Map<String, String> headers, String body, List<String> events, Duration delay) {
    public static Reply json(final int status, final String body) {
      return new Reply(status, Map.of(), body, List.of(), Duration.ZERO);
    }

    public static Reply ok(final String content, final long prompt, final long completion) {
      return json(200, completion(content, prompt, completion));
    }

    public static Reply error(final int status) {
      return json(status, "{\"error\":{\"message\":\"scripted " + status + "\",\"type\":\"server_error\"}}");
    }

    public static Reply stream(final List<String> events) {
      return new Reply(200, Map.of("content-type", "text/event-stream"), null, events, Duration.ZERO);
    }

    /** The same answer, sent only after the delay. */
    public Reply after(final Duration wait) {
      return new Reply(status, headers, body, events, wait);
    }

    public Reply withHeader(final String name, final String value) {
      final Map<String, String> all = new HashMap<>(headers);
      all.put(name, value);
      return new Reply(status, all, body, events, delay);
    }
  }

  /** One captured request. */
  public record Captured(String model, Map<String, String> headers, JsonNode body) {}

  private final ObjectMapper mapper = new ObjectMapper();
  private final Map<String, Deque<Reply>> scripts = new HashMap<>();
  private final Map<String, Reply> defaults = new HashMap<>();
  private final List<Captured> captured = new CopyOnWriteArrayList<>();
  private final DisposableServer server;

  public FakeOpenAi() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(routes -> routes.post("/v1/chat/completions", this::handle))
            .bindNow();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port() + "/v1";
  }

  /** Queues answers for a model, served in order before its default. */
  public synchronized FakeOpenAi script(final String model, final Reply... replies) {
    scripts.computeIfAbsent(model, m -> new ArrayDeque<>()).addAll(List.of(replies));
    return this;
  }

  public synchronized FakeOpenAi always(final String model, final Reply reply) {
    defaults.put(model, reply);
    return this;
  }

  public List<Captured> requests() {
    return List.copyOf(captured);
  }

  public long requestsFor(final String model) {
    return captured.stream().filter(c -> c.model().equals(model)).count();
  }

  public static String completion(final String content, final long prompt, final long completion) {
    return """
        {"id":"chatcmpl-1","object":"chat.completion","model":"m",
         "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,
                  "prompt_tokens_details":{"cached_tokens":%d},
                  "completion_tokens_details":{"reasoning_tokens":%d}}}
        """
        .formatted(content, prompt, completion, prompt + completion, prompt / 2, completion / 2);
  }

  private Mono<Void> handle(final HttpServerRequest request, final HttpServerResponse response) {
    return request
        .receive()
        .aggregate()
        .asString(StandardCharsets.UTF_8)
        .flatMap(
            body -> {
              final JsonNode json = read(body);
              final Map<String, String> headers = new HashMap<>();
              request.requestHeaders().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
              final String model = json.path("model").asText();
              captured.add(new Captured(model, headers, json));
              final Reply reply = next(model);
              return Mono.delay(reply.delay()).then(answer(response, reply));
            });
  }

  private synchronized Reply next(final String model) {
    final Deque<Reply> queue = scripts.get(model);
    if (queue != null && !queue.isEmpty()) {
      return queue.poll();
    }
    return defaults.getOrDefault(model, Reply.ok("default answer", 10, 5));
  }

  private Mono<Void> answer(final HttpServerResponse response, final Reply reply) {
    response.status(reply.status());
    reply.headers().forEach(response::header);
    if (reply.body() != null) {
      return response.header("content-type", "application/json").sendString(Mono.just(reply.body())).then();
    }
    return response.sendString(Flux.fromIterable(reply.events()).map(event -> "data: " + event + "\n\n")).then();
  }

  private JsonNode read(final String body) {
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.disposeNow();
  }
}
