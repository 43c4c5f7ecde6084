package dev.tiergate.dispatcher;

import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.UsageEvent;

/**
 * The records of a request nobody waits for any more. The error reply says why (the ingress maps
 * {@code deadline_exceeded} to 504); usage is booked only for what a stopped call had already
 * streamed, marked {@code cancelled}.
 */
final class AbandonedWork {

  /** nginx's "client closed request": nobody reads it, but it must be an error status. */
  static final int CLIENT_CLOSED_STATUS = 499;
  static final int DEADLINE_STATUS = 504;

  private AbandonedWork() {}

  static ErrorInfo error(final String reason) {
    final boolean deadline = CallStop.DEADLINE_EXCEEDED.equals(reason);
    return ErrorInfo.newBuilder()
        .setType(reason)
        .setMessage(
            deadline
                ? "the request's deadline passed before its answer was complete"
                : "the client went away; the provider call was stopped")
        .setHttpStatus(deadline ? DEADLINE_STATUS : CLIENT_CLOSED_STATUS)
        .build();
  }

  static UsageEvent cancelled(final UsageEvent usage) {
    return UsageEvent.newBuilder(usage).setCancelled(true).setInterrupted(true).build();
  }
}
