package dev.tiergate.accounting;

import dev.tiergate.schemas.UsageEvent;
import java.util.Objects;

/**
 * The outcome of decoding one raw usage record: either a usable event, or the original bytes with
 * the reason they go to the dead-letter topic.
 */
record DecodedUsage(UsageEvent usage, byte[] raw, String problem) {

  static DecodedUsage valid(final UsageEvent usage) {
    return new DecodedUsage(Objects.requireNonNull(usage, "usage"), null, null);
  }

  static DecodedUsage invalid(final byte[] raw, final String problem) {
    return new DecodedUsage(null, raw, Objects.requireNonNull(problem, "problem"));
  }

  boolean failed() {
    return problem != null;
  }
}
