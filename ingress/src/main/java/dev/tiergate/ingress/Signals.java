package dev.tiergate.ingress;

import java.util.Locale;
import java.util.Objects;

/**
 * What the caller told us about the request besides the chat itself: the agent's mode, the product
 * feature, the session, and the tier or explicit model it asked for. Kilo Code's header and model
 * spellings are accepted beside Tiergate's own.
 *
 * @param mode lower-case mode (plan, code, debug...), or null when the caller sent none
 * @param feature product feature to book spend to, or null
 * @param sessionId the caller's session or task id, else a fresh {@code sess_} id
 * @param tier the tier from a virtual model id, else the caller's default tier
 * @param requestedModel an explicit model id (routing bypass), or null for a virtual model
 */
public record Signals(
    String mode, String feature, String sessionId, Tier tier, String requestedModel) {

  public static final String MODE_HEADER = "x-tiergate-mode";
  public static final String KILO_MODE_HEADER = "x-kilocode-mode";
  public static final String FEATURE_HEADER = "x-tiergate-feature";
  public static final String KILO_FEATURE_HEADER = "x-kilocode-feature";
  public static final String SESSION_HEADER = "x-tiergate-session";
  public static final String KILO_TASK_HEADER = "x-kilocode-taskid";

  private static final String[] VIRTUAL_MODELS = {"auto", "kilo-auto"};

  public Signals {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(tier, "tier");
  }

  /**
   * Resolves the signals of one request.
   *
   * @throws GatewayException (400) when the model names a virtual tier that does not exist
   */
  public static Signals resolve(
      final HeaderLookup headers, final String model, final Caller caller) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(caller, "caller");
    final String mode = headers.first(MODE_HEADER, KILO_MODE_HEADER);
    final String session = headers.first(SESSION_HEADER, KILO_TASK_HEADER);
    final String trimmedModel = model.trim();
    final Tier virtualTier = virtualTier(trimmedModel, caller);
    return new Signals(
        mode == null ? null : mode.toLowerCase(Locale.ROOT),
        headers.first(FEATURE_HEADER, KILO_FEATURE_HEADER),
        session == null ? Ids.newSessionId() : session,
        virtualTier == null ? caller.defaultTier() : virtualTier,
        virtualTier == null ? trimmedModel : null);
  }

  /** The tier a virtual model id selects, or null when the id is not virtual. */
  private static Tier virtualTier(final String model, final Caller caller) {
    final String lower = model.toLowerCase(Locale.ROOT);
    for (final String virtual : VIRTUAL_MODELS) {
      if (lower.equals(virtual)) {
        return caller.defaultTier();
      }
      if (lower.startsWith(virtual + "/")) {
        final String tier = lower.substring(virtual.length() + 1);
        return Tier.parse(tier)
            .orElseThrow(
                () ->
                    GatewayException.invalidRequest(
                        "model",
                        "Unknown tier '" + tier + "'; use " + virtual
                            + "/frontier, /balanced, /free or /small."));
      }
    }
    return null;
  }
}
