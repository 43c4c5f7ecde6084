package dev.tiergate.ingress.responses;

import dev.tiergate.ingress.auth.KeyDirectory;
import dev.tiergate.ingress.http.HttpReplies;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /v1/responses/{id}} (the stored response object) and {@code DELETE
 * /v1/responses/{id}} (a tombstone, answered with OpenAI's deletion object). A caller sees only
 * its own tenant's responses: any other id is a 404, exactly like an unknown one.
 */
public final class StoredResponsesHandler {

  private final KeyDirectory keys;
  private final ResponsesDialect dialect;

  /** @param dialect the Responses API: its stored responses and its error shape */
  public StoredResponsesHandler(final KeyDirectory keys, final ResponsesDialect dialect) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.dialect = Objects.requireNonNull(dialect, "dialect");
  }

  public Publisher<Void> retrieve(final HttpServerRequest request, final HttpServerResponse response) {
    return answer(request, response, dialect::stored);
  }

  public Publisher<Void> delete(final HttpServerRequest request, final HttpServerResponse response) {
    return answer(request, response, dialect::deleted);
  }

  /** Answers 200 with the body {@code action} makes of the caller's tenant and the path's id. */
  private Publisher<Void> answer(
      final HttpServerRequest request, final HttpServerResponse response,
      final BiFunction<String, String, Mono<String>> action) {
    final String id = request.param("id");
    return HttpReplies.authenticated(keys, request.requestHeaders()::get, response, dialect,
        caller -> action.apply(caller.tenant(), id)
            .flatMap(body -> HttpReplies.send(response, HttpResponseStatus.OK, body))
            .onErrorResume(error -> HttpReplies.error(response, error, null, dialect)));
  }
}
