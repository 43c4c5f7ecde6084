package dev.tiergate.ingress.auth;

/**
 * The rate limits of one key or tenant: requests per minute, tokens per minute (input + output,
 * counted from usage) and requests in flight at once. Zero means no limit of that kind.
 */
public record RateLimits(long requestsPerMinute, long tokensPerMinute, int maxConcurrent) {

  /** No limit of any kind. */
  public static final RateLimits NONE = new RateLimits(0, 0, 0);

  public RateLimits {
    if (requestsPerMinute < 0 || tokensPerMinute < 0 || maxConcurrent < 0) {
      throw new IllegalArgumentException("rate limits must be positive (or 0 for none)");
    }
  }

  /** Whether any limit is set. */
  public boolean any() {
    return requestsPerMinute > 0 || tokensPerMinute > 0 || maxConcurrent > 0;
  }
}
