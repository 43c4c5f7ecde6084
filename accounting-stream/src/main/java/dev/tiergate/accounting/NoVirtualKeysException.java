package dev.tiergate.accounting;

import dev.tiergate.runtime.StartRefusedException;
import dev.tiergate.runtime.VirtualKeySpec;

/**
 * Why the accounting service outside demo mode refuses to start: no key could read its query API
 * (no bootstrap keys and no usable key on {@code tiergate.virtual-keys}), or that table could not
 * be read. Its message is the one line an operator needs.
 */
public final class NoVirtualKeysException extends StartRefusedException {

  private static final long serialVersionUID = 1L;

  NoVirtualKeysException(final String why) {
    super(why + ": set " + VirtualKeySpec.TABLE.name() + " or create a key with `tiergate keys"
        + " create` (" + VirtualKeySpec.DEMO_MODE.name() + "=true turns on the well-known demo key,"
        + " for local use only)");
  }
}
