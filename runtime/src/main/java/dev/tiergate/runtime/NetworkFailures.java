package dev.tiergate.runtime;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;

/**
 * Tells a failure of the network (a schema registry down, slow or not found) from a failure of the
 * record being decoded. A record is set aside only for its own fault; a network failure is rethrown,
 * so the record is retried instead of leaving the pipeline.
 */
public final class NetworkFailures {

  /** How deep a cause chain is searched: a chain can loop. */
  private static final int MAX_DEPTH = 16;

  private NetworkFailures() {}

  /** True when the failure, or one of its causes, is the network's. */
  public static boolean isNetwork(final Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
      if (cause instanceof SocketException
          || cause instanceof SocketTimeoutException
          || cause instanceof UnknownHostException
          || cause instanceof HttpTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
