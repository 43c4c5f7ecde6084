package dev.tiergate.dispatcher;

import java.util.Locale;

/**
 * A fault a test can inject into a dispatcher process ({@code TIERGATE_DISPATCHER_FAULT}); for
 * tests only, off by default. {@code halt-after-response} stops the JVM with {@code
 * Runtime.halt} (no shutdown hook, no flush, no commit: what kill -9 does) right after the first
 * response of a transaction is written to the broker and before its usage and offsets are.
 */
public enum DispatcherFault {
  NONE,
  HALT_AFTER_RESPONSE;

  public static final String ENV = "TIERGATE_DISPATCHER_FAULT";
  /** The exit status of a halted dispatcher, so a test can tell the fault from a crash. */
  public static final int HALT_STATUS = 86;

  /** {@code none} (or blank) or {@code halt-after-response}. */
  public static DispatcherFault parse(final String value) {
    if (value == null || value.isBlank()) {
      return NONE;
    }
    final String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    try {
      return valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV + " must be none or halt-after-response: " + value, e);
    }
  }
}
