package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderFailure.Kind;
import dev.tiergate.schemas.ErrorInfo;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns provider failures into the {@link ErrorInfo} of the one error response: a terminal failure
 * (the request itself was rejected) by its status, an exhausted chain by what all its models did.
 * The client gets a status, a generic message and the request id; a provider's own text (which can
 * name hosts, organisations or accounts) goes only to the log, see {@link #describe}. The one
 * exception is {@link Kind#INVALID_REQUEST}, whose message Tiergate itself wrote before any call.
 */
final class ChainErrors {

  /** Why a model was skipped without a call. */
  enum Skip {
    NO_PROVIDER("no provider configured"),
    NOT_IN_CATALOGUE("not in the model catalogue");

    private final String reason;

    Skip(final String reason) {
      this.reason = reason;
    }
  }

  /** One model of the chain that did not serve: a failed call, or a model skipped without one. */
  record Attempt(String model, Optional<ProviderFailure> failure, Skip skip) {

    Attempt(final String model, final Optional<ProviderFailure> failure) {
      this(model, failure, Skip.NO_PROVIDER);
    }

    /** For the log only: may hold the provider's own text. */
    String describe() {
      return model + ": " + failure.map(Throwable::getMessage).orElse(skip.reason);
    }

    boolean is(final Kind kind) {
      return failure.map(f -> f.kind() == kind).orElse(false);
    }
  }

  private ChainErrors() {}

  static ErrorInfo terminal(final ProviderFailure failure, final String requestId) {
    return switch (failure.kind()) {
      case REJECTED -> error("invalid_request",
          generic("The model provider rejected the request", requestId), failure.httpStatus());
      case INVALID_REQUEST -> error("invalid_request", failure.getMessage(), 400);
      default -> error("provider_error",
          generic("The model provider failed to serve the request", requestId), 502);
    };
  }

  static ErrorInfo exhausted(final List<Attempt> attempts, final String requestId) {
    if (attempts.isEmpty()) {
      return error("unroutable", "the routing decision has an empty model chain", 502);
    }
    if (attempts.stream().allMatch(attempt -> attempt.is(Kind.RATE_LIMITED))) {
      return error("rate_limited", generic("Every model of the route is rate limited", requestId), 429);
    }
    if (attempts.stream().allMatch(attempt -> attempt.is(Kind.NO_CREDENTIALS))) {
      return error("no_credentials",
          generic("No provider credential is available for this request", requestId), 401);
    }
    if (attempts.stream().allMatch(attempt -> attempt.is(Kind.TIMEOUT))) {
      return error("timeout", generic("Every model of the route timed out", requestId), 504);
    }
    return error("provider_error", generic("No model could serve the request", requestId), 502);
  }

  static ErrorInfo interrupted(final ProviderFailure failure, final String requestId) {
    return error("provider_error", generic("The model provider broke off the answer", requestId), 502);
  }

  /** What the log gets for an exhausted chain: every model and why it did not serve. */
  static String describe(final List<Attempt> attempts) {
    return attempts.stream().map(Attempt::describe).collect(Collectors.joining("; "));
  }

  private static String generic(final String what, final String requestId) {
    return what + " (request id " + requestId + "); the gateway's log has the details.";
  }

  private static ErrorInfo error(final String type, final String message, final int status) {
    return ErrorInfo.newBuilder().setType(type).setMessage(message).setHttpStatus(status).build();
  }
}
