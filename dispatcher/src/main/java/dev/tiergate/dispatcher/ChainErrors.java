package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderFailure.Kind;
import dev.tiergate.schemas.ErrorInfo;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns provider failures into the {@link ErrorInfo} of the one error response: a terminal failure
 * (the request itself was rejected) as it is, an exhausted chain by what all its models did.
 */
final class ChainErrors {

  /** One model of the chain that did not serve; an empty failure means no provider configured. */
  record Attempt(String model, Optional<ProviderFailure> failure) {
    String describe() {
      return model + ": " + failure.map(Throwable::getMessage).orElse("no provider configured");
    }

    boolean is(final Kind kind) {
      return failure.map(f -> f.kind() == kind).orElse(false);
    }
  }

  private ChainErrors() {}

  static ErrorInfo terminal(final ProviderFailure failure) {
    return switch (failure.kind()) {
      case REJECTED -> error("invalid_request", failure.getMessage(), failure.httpStatus());
      case INVALID_REQUEST -> error("invalid_request", failure.getMessage(), 400);
      default -> error("provider_error", failure.getMessage(), 502);
    };
  }

  static ErrorInfo exhausted(final List<Attempt> attempts) {
    if (attempts.isEmpty()) {
      return error("unroutable", "the routing decision has an empty model chain", 502);
    }
    final String message =
        "no model could serve the request: "
            + attempts.stream().map(Attempt::describe).collect(Collectors.joining("; "));
    if (attempts.stream().allMatch(attempt -> attempt.is(Kind.RATE_LIMITED))) {
      return error("rate_limited", message, 429);
    }
    if (attempts.stream().allMatch(attempt -> attempt.is(Kind.NO_CREDENTIALS))) {
      return error("no_credentials", message, 401);
    }
    if (attempts.stream().allMatch(attempt -> attempt.is(Kind.TIMEOUT))) {
      return error("timeout", message, 504);
    }
    return error("provider_error", message, 502);
  }

  static ErrorInfo interrupted(final ProviderFailure failure) {
    return error("provider_error", failure.getMessage(), 502);
  }

  private static ErrorInfo error(final String type, final String message, final int status) {
    return ErrorInfo.newBuilder().setType(type).setMessage(message).setHttpStatus(status).build();
  }
}
