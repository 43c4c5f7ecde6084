package dev.tiergate.ingress.auth;

import dev.tiergate.runtime.StartRefusedException;

/**
 * Why an ingress outside demo mode refuses to start: no key could authenticate (no bootstrap keys
 * and no usable key on {@code tiergate.virtual-keys}), or that topic could not be read to its end.
 * Its message is the one line an operator needs.
 */
public final class NoVirtualKeysException extends StartRefusedException {

  private static final long serialVersionUID = 1L;

  static final String HOW_TO_FIX =
      "set TIERGATE_VIRTUAL_KEYS or create a key with `tiergate keys create`"
          + " (TIERGATE_DEMO=true turns on the well-known demo key, for local use only)";

  public NoVirtualKeysException(final String why) {
    super(why + ": " + HOW_TO_FIX);
  }
}
