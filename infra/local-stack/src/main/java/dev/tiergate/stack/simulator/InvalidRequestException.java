package dev.tiergate.stack.simulator;

/** A request the simulator refuses with 400, as a provider would; carries the offending parameter. */
final class InvalidRequestException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String param;

  InvalidRequestException(final String message, final String param) {
    super(message);
    this.param = param;
  }

  /** The request field at fault, or {@code null} when the body as a whole is. */
  String param() {
    return param;
  }
}
