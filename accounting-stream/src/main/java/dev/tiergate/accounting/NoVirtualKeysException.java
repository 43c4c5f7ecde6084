package dev.tiergate.accounting;

import dev.tiergate.runtime.StartRefusedException;

/**
 * Why the accounting service outside demo mode refuses to start: no key could read its query API
 * (no bootstrap keys and no usable key on {@code tiergate.virtual-keys}), or that table could not
 * be read. Its message is the one line an operator needs.
 */
public final class NoVirtualKeysException extends StartRefusedException {

  private static final long serialVersionUID = 1L;

  NoVirtualKeysException(final String why) {
    super(why + ": set " + AccountingConfig.VIRTUAL_KEYS_ENV + " or create a key with `tiergate keys"
        + " create` (" + AccountingConfig.DEMO_ENV + "=true turns on the well-known demo key, for local"
        + " use only)");
  }
}
