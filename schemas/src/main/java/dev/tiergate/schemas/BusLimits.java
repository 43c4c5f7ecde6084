package dev.tiergate.schemas;

import java.util.Map;

/**
 * How large a record the bus carries, so the ingress body limit, every producer's {@code
 * max.request.size} and every topic's {@code max.message.bytes} agree: a request the ingress
 * accepts always fits on every topic it travels through. The ingress publishes requests up to
 * {@link #MAX_REQUEST_RECORD_BYTES} (larger: 413), leaving {@link #ROUTING_HEADROOM_BYTES} for what
 * the router adds (the routing decision) to the routed record.
 */
public final class BusLimits {

  /** Every topic's {@code max.message.bytes} and every producer's {@code max.request.size}. */
  public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

  /** Room for the routing decision a routed record carries beside its request. */
  public static final int ROUTING_HEADROOM_BYTES = 256 * 1024;

  /** The largest request record the ingress publishes. */
  public static final int MAX_REQUEST_RECORD_BYTES = MAX_RECORD_BYTES - ROUTING_HEADROOM_BYTES;

  /** The topic config that carries the limit. */
  public static final String MAX_MESSAGE_BYTES_CONFIG = "max.message.bytes";

  /** The producer config that carries the limit. */
  public static final String MAX_REQUEST_SIZE_CONFIG = "max.request.size";

  private BusLimits() {}

  /** The producer setting for a pipeline producer (Streams apps prefix it with {@code producer.}). */
  public static Map<String, String> producerSettings() {
    return Map.of(MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES));
  }
}
