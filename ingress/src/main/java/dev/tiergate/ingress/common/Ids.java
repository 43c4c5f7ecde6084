package dev.tiergate.ingress.common;

import java.util.UUID;

/** Prefixed random ids, so an id says what it identifies wherever it shows up. */
public final class Ids {

  public static final String REQUEST_PREFIX = "req_";
  public static final String SESSION_PREFIX = "sess_";

  private Ids() {}

  public static String newRequestId() {
    return REQUEST_PREFIX + randomPart();
  }

  public static String newSessionId() {
    return SESSION_PREFIX + randomPart();
  }

  private static String randomPart() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
