package dev.tiergate.accounting;

/** The spend store cannot be read right now (starting, rebalancing, stopped); try again later. */
public final class SpendUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SpendUnavailableException(final String message) {
    super(message);
  }

  public SpendUnavailableException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
