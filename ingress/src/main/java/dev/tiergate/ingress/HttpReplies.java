package dev.tiergate.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.schemas.ChatResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** Writes JSON replies and error bodies in the caller's dialect, with the {@code x-tiergate-*} headers. */
final class HttpReplies {

  static final String MODEL_HEADER = "x-tiergate-model";
  static final String TIER_HEADER = "x-tiergate-tier";
  static final String RULE_HEADER = "x-tiergate-rule";
  static final String REQUEST_ID_HEADER = "x-tiergate-request-id";

  private static final Logger LOG = LoggerFactory.getLogger(HttpReplies.class);
  private static final String JSON = "application/json";

  private HttpReplies() {}

  /** A final response: the completion, or the error it carries with that error's status. */
  static Mono<Void> response(
      final HttpServerResponse http,
      final JsonNode body,
      final ChatResponse response,
      final ApiDialect dialect) {
    routingHeaders(http, response);
    if (response.getError() != null) {
      return error(http, GatewayException.fromPipeline(response.getError()), null, dialect);
    }
    return send(http, HttpResponseStatus.OK, dialect.completion(body, response));
  }

  /** An error body; {@code requestId} (may be null) goes in the request-id header. */
  static Mono<Void> error(
      final HttpServerResponse http,
      final Throwable failure,
      final String requestId,
      final ApiDialect dialect) {
    final GatewayException error = asGatewayError(failure);
    if (requestId != null) {
      http.header(REQUEST_ID_HEADER, requestId);
    }
    return send(http, HttpResponseStatus.valueOf(error.httpStatus()), dialect.error(error));
  }

  static Mono<Void> send(
      final HttpServerResponse http, final HttpResponseStatus status, final String body) {
    return http.status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, JSON)
        .sendString(Mono.just(body))
        .then();
  }

  static void routingHeaders(final HttpServerResponse http, final ChatResponse response) {
    http.header(REQUEST_ID_HEADER, response.getCorrelationId());
    setIfPresent(http, MODEL_HEADER, response.getModel());
    setIfPresent(http, TIER_HEADER, response.getTier());
    setIfPresent(http, RULE_HEADER, response.getRuleKey());
  }

  static void setIfPresent(final HttpServerResponse http, final String name, final String value) {
    if (value != null) {
      http.header(name, value);
    }
  }

  /** Expected failures keep their status; anything else is logged and becomes a plain 500. */
  static GatewayException asGatewayError(final Throwable failure) {
    if (failure instanceof GatewayException gatewayError) {
      return gatewayError;
    }
    LOG.error("unexpected failure while serving a request", failure);
    return new GatewayException(500, "server_error", "internal_error", null, "Internal error.");
  }
}
