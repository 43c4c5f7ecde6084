package dev.tiergate.accounting;

/**
 * Where the accounting stream reports each priced usage as it books it, for the Prometheus spend
 * rate. An operational signal, not the books: under exactly-once a retried transaction reports its
 * usage again, while {@code /v1/spend} and {@code tiergate.spend} count it once.
 */
@FunctionalInterface
public interface SpendMeter {

  /** Reports nothing (topology tests). */
  SpendMeter NONE = (tier, costMicros, duplicate) -> {};

  /**
   * @param tier the tier that served the request
   * @param costMicros what it cost at catalogue prices
   * @param duplicate a further call for an already billed request: platform cost
   */
  void booked(String tier, long costMicros, boolean duplicate);
}
