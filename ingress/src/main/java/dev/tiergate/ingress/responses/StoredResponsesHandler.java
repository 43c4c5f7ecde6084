package dev.tiergate.ingress.responses;

import dev.tiergate.ingress.auth.KeyDirectory;
import dev.tiergate.ingress.http.HttpReplies;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;
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
  private final ResponseStore store;
  private final ResponsesJson json;
  private final ResponsesDialect dialect;

  public StoredResponsesHandler(
      final KeyDirectory keys,
      final ResponseStore store,
      final ResponsesJson json,
      final ResponsesDialect dialect) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.store = Objects.requireNonNull(store, "store");
    this.json = Objects.requireNonNull(json, "json");
    this.dialect = Objects.requireNonNull(dialect, "dialect");
  }

  public Publisher<Void> retrieve(final HttpServerRequest request, final HttpServerResponse response) {
    final String id = request.param("id");
    return HttpReplies.authenticated(keys, request.requestHeaders()::get, response, dialect,
        caller -> store.find(caller.tenant(), id)
            .switchIfEmpty(Mono.error(() -> ResponseStore.notFound(id)))
            .flatMap(stored ->
                HttpReplies.send(response, HttpResponseStatus.OK, stored.getResponseJson()))
            .onErrorResume(error -> HttpReplies.error(response, error, null, dialect)));
  }

  public Publisher<Void> delete(final HttpServerRequest request, final HttpServerResponse response) {
    final String id = request.param("id");
    return HttpReplies.authenticated(keys, request.requestHeaders()::get, response, dialect,
        caller -> store.delete(caller.tenant(), id)
            .flatMap(deleted -> deleted
                ? HttpReplies.send(response, HttpResponseStatus.OK, json.deleted(id))
                : Mono.<Void>error(ResponseStore.notFound(id)))
            .onErrorResume(error -> HttpReplies.error(response, error, null, dialect)));
  }
}
