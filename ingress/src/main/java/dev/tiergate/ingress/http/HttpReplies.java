package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.auth.KeyDirectory;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.RequestTrace;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Optional;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Writes JSON replies and error bodies in the caller's dialect, with the {@code x-tiergate-*}
 * headers ({@code x-tiergate-overhead-ms} from the chain's {@link RequestTrace}).
 */
public final class HttpReplies {

  static final String MODEL_HEADER = "x-tiergate-model";
  public static final String TIER_HEADER = "x-tiergate-tier";
  static final String RULE_HEADER = "x-tiergate-rule";
  /** The mode the request was routed under ({@code none} when it had none). */
  static final String MODE_HEADER = "x-tiergate-mode";
  /** Where the tier came from: {@code given} mode, {@code predicted} by the router, or {@code none}. */
  static final String MODE_SOURCE_HEADER = "x-tiergate-mode-source";
  static final String MODE_GIVEN = "given";
  static final String MODE_PREDICTED = "predicted";
  static final String MODE_INFERRED = "inferred";
  static final String MODE_NONE = "none";

  private static final Logger LOG = LoggerFactory.getLogger(HttpReplies.class);
  private static final String JSON = "application/json";

  private HttpReplies() {}

  /** A final response: the completion, or the error it carries with that error's status. */
  static Mono<Void> response(
      final HttpServerResponse http,
      final ChatRequest request,
      final JsonNode body,
      final ChatResponse response,
      final ApiDialect dialect) {
    return Mono.deferContextual(context -> {
      RequestTrace.of(context).overheadHeader(http, response.getProviderMicros());
      routingHeaders(http, response);
      if (response.getError() != null) {
        return error(http, GatewayException.fromPipeline(response.getError()), null, dialect);
      }
      return send(http, HttpResponseStatus.OK, dialect.completion(request, body, response));
    });
  }

  /**
   * Serves the caller behind the request's key with {@code handler}; a request without a known key
   * is answered 401 in the dialect's error shape.
   */
  public static Publisher<Void> authenticated(
      final KeyDirectory keys,
      final HeaderLookup headers,
      final HttpServerResponse http,
      final ApiDialect dialect,
      final Function<Caller, Publisher<Void>> handler) {
    final Optional<Caller> caller = keys.authenticate(headers);
    return caller.isPresent()
        ? handler.apply(caller.get())
        : error(http, GatewayException.unauthorized(), null, dialect);
  }

  /** An error body; {@code requestId} (may be null) goes in the request-id header. */
  public static Mono<Void> error(
      final HttpServerResponse http,
      final Throwable failure,
      final String requestId,
      final ApiDialect dialect) {
    return Mono.deferContextual(context -> {
      RequestTrace.of(context).overheadHeader(http, null);
      final GatewayException error = asGatewayError(failure);
      if (requestId != null) {
        http.header(RequestTrace.REQUEST_ID_HEADER, requestId);
      }
      return send(http, HttpResponseStatus.valueOf(error.httpStatus()), dialect.error(error));
    });
  }

  public static Mono<Void> send(
      final HttpServerResponse http, final HttpResponseStatus status, final String body) {
    return http.status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, JSON)
        .sendString(Mono.just(body))
        .then();
  }

  static void routingHeaders(final HttpServerResponse http, final ChatResponse response) {
    http.header(RequestTrace.REQUEST_ID_HEADER, response.getCorrelationId());
    setIfPresent(http, MODEL_HEADER, response.getModel());
    decisionHeaders(
        http, response.getTier(), response.getMode(), response.getRuleKey(),
        response.getModePredicted());
  }

  /**
   * The routing decision of a stream, from its first chunk (sequence 0, which carries it); the
   * requested tier stands in when the chunk names none.
   */
  static void streamHeaders(
      final HttpServerResponse http, final ChatChunk first, final String requestedTier) {
    setIfPresent(http, MODEL_HEADER, first.getModel());
    final boolean decided = first.getSequence() == 0 && first.getTier() != null;
    if (!decided) {
      setIfPresent(http, TIER_HEADER, requestedTier);
      return;
    }
    decisionHeaders(
        http, first.getTier(), first.getMode(), first.getRuleKey(), first.getModePredicted());
  }

  private static void decisionHeaders(
      final HttpServerResponse http,
      final String tier,
      final String mode,
      final String ruleKey,
      final boolean predicted) {
    setIfPresent(http, TIER_HEADER, tier);
    setIfPresent(http, RULE_HEADER, ruleKey);
    setIfPresent(http, MODE_HEADER, mode);
    if (mode != null) {
      http.header(MODE_SOURCE_HEADER, modeSource(mode, predicted));
    }
  }

  /**
   * {@code inferred} when the router chose the mode itself (an agent's side call it recognised:
   * the decision is marked predicted and carries a mode), {@code predicted} when its predictor
   * chose the tier of a request without a mode, else whether a mode was given.
   */
  public static String modeSource(final String mode, final boolean predicted) {
    if (predicted) {
      return mode == null || MODE_NONE.equals(mode) ? MODE_PREDICTED : MODE_INFERRED;
    }
    return mode == null || MODE_NONE.equals(mode) ? MODE_NONE : MODE_GIVEN;
  }

  static void setIfPresent(final HttpServerResponse http, final String name, final String value) {
    if (value != null) {
      http.header(name, value);
    }
  }

  /** Expected failures keep their status; anything else is logged and becomes a plain 500. */
  public static GatewayException asGatewayError(final Throwable failure) {
    if (failure instanceof GatewayException gatewayError) {
      return gatewayError;
    }
    LOG.error("unexpected failure while serving a request", failure);
    return GatewayException.serverError(500, "internal_error", "Internal error.");
  }
}
