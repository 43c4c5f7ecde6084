package dev.tiergate.ingress.common;

import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.ErrorInfo;
import java.util.Objects;

/**
 * A failure with a known HTTP status and OpenAI error type, raised by the ingress itself (bad
 * request, no key, overloaded, timed out) and rendered as the caller's API error body. Carries no
 * stack trace: these are expected outcomes, not bugs.
 */
@EntryPoint
public final class GatewayException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int httpStatus;
  private final String type;
  private final String code;
  private final String param;

  public GatewayException(
      final int httpStatus, final String type, final String code, final String param,
      final String message) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.httpStatus = httpStatus;
    this.type = Objects.requireNonNull(type, "type");
    this.code = code;
    this.param = param;
  }

  public static GatewayException invalidRequest(final String param, final String message) {
    return new GatewayException(400, "invalid_request_error", "invalid_request", param, message);
  }

  public static GatewayException unauthorized() {
    return new GatewayException(
        401, "authentication_error", "invalid_api_key", null,
        "Missing or unknown API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key'.");
  }

  public static GatewayException forbiddenTier(final String tier) {
    return new GatewayException(
        403, "permission_error", "tier_not_allowed", "model",
        "This API key may not use the '" + tier + "' tier.");
  }

  public static GatewayException modelNotFound(final String model) {
    return new GatewayException(
        404, "invalid_request_error", "model_not_found", "model",
        "The model '" + model + "' does not exist; see GET /v1/models.");
  }

  /** An explicit model of the wrong kind for the endpoint: a chat model for embeddings or back. */
  public static GatewayException modelNotSupported(final String model, final String why) {
    return new GatewayException(
        400, "invalid_request_error", "model_not_supported", "model",
        "The model '" + model + "' cannot serve this endpoint: " + why + ".");
  }

  public static GatewayException notFound(final String method, final String path) {
    return new GatewayException(
        404, "invalid_request_error", "unknown_url", null,
        "Unknown request URL: " + method + " " + path);
  }

  public static GatewayException tooLarge(final long limitBytes) {
    return new GatewayException(
        413, "invalid_request_error", "request_too_large", null,
        "Request body larger than " + limitBytes + " bytes.");
  }

  public static GatewayException overloaded() {
    return serverError(
        503, "overloaded", "Too many requests in flight on this gateway instance; retry shortly.");
  }

  public static GatewayException shuttingDown() {
    return serverError(503, "shutting_down", "The gateway instance is shutting down.");
  }

  public static GatewayException publishFailed() {
    return serverError(503, "unavailable", "The request could not be queued; retry shortly.");
  }

  public static GatewayException timeout() {
    return serverError(504, "timeout", "No reply from the model pipeline in time.");
  }

  /** A failure of the gateway, not the request: OpenAI's {@code server_error}, naming no field. */
  public static GatewayException serverError(
      final int httpStatus, final String code, final String message) {
    return new GatewayException(httpStatus, "server_error", code, null, message);
  }

  /** The caller-facing form of a typed error the pipeline replied with. */
  public static GatewayException fromPipeline(final ErrorInfo error) {
    Objects.requireNonNull(error, "error");
    final int status = error.getHttpStatus();
    final int httpStatus = status >= 400 && status <= 599 ? status : 502;
    final String param = error.getType().startsWith("model_") ? "model" : null;
    return new GatewayException(
        httpStatus, openAiType(httpStatus, error.getType()), error.getType(), param,
        error.getMessage());
  }

  private static String openAiType(final int status, final String pipelineType) {
    switch (status) {
      case 401:
        return "authentication_error";
      case 403:
        return "permission_error";
      case 429:
        return "insufficient_quota".equals(pipelineType)
            ? "insufficient_quota"
            : "rate_limit_error";
      default:
        return status >= 500 ? "server_error" : "invalid_request_error";
    }
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The OpenAI error type, e.g. {@code invalid_request_error}. */
  public String type() {
    return type;
  }

  /** A machine-readable code, e.g. {@code overloaded}; may be null. */
  public String code() {
    return code;
  }

  /** The request field at fault; may be null. */
  public String param() {
    return param;
  }
}
