package dev.tiergate.runtime;

/**
 * A service refuses to start because a precondition an operator can fix is missing (no keys, say).
 * Its message is the one line the operator needs; {@link ServiceMain} prints it without a stack
 * trace and exits with code 2.
 */
public class StartRefusedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public StartRefusedException(final String message) {
    super(message);
  }
}
