package dev.tiergate.router;

import dev.tiergate.schemas.ChatRequest;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether the key behind a request may name an explicit {@code provider/model}, and which tier the
 * model then serves. A model is allowed when a routing chain of a tier the key may use holds it
 * ({@code allowedTiers}; empty means every tier), or when it is on the key's own allow-list
 * ({@code allowedModels}). The tier reported is the strongest allowed tier whose chain holds the
 * model; for an allow-listed model no allowed chain holds, the strongest tier whose chain holds it
 * at all, else the request's own tier.
 */
final class ExplicitModelAccess {

  /** Tiers by strength; a tier outside the known four ranks below free. */
  private static final Comparator<String> BY_STRENGTH =
      Comparator.<String>comparingInt(tier -> RouteResolver.TIER_RANK.getOrDefault(tier, -1))
          .thenComparing(Comparator.reverseOrder());

  /** The verdict on one request. */
  sealed interface Verdict {}

  /** Served as tier {@code tier}; {@code why} goes into the decision's reason. */
  record Allowed(String tier, String why) implements Verdict {}

  /** Refused; {@code message} is for the caller and names no other tier's models. */
  record Refused(String message) implements Verdict {}

  private ExplicitModelAccess() {}

  static Verdict check(
      final ChatRequest request,
      final String model,
      final String requestTier,
      final Set<String> servingTiers) {
    final Set<String> allowedTiers = lowerCase(request.getAllowedTiers());
    final Set<String> permitted = allowedTiers.isEmpty() ? servingTiers
        : servingTiers.stream().filter(allowedTiers::contains).collect(Collectors.toSet());
    if (!permitted.isEmpty()) {
      final String tier = strongest(permitted);
      return new Allowed(tier, "explicit model " + model + " is in a tier " + tier
          + " routing chain the key may use");
    }
    if (request.getAllowedModels().contains(model)) {
      final String tier = servingTiers.isEmpty() ? requestTier : strongest(servingTiers);
      return new Allowed(tier, "explicit model " + model + " is on the key's model allow-list");
    }
    return new Refused("This API key may not use the model '" + model + "': it is in no routing "
        + "chain of the tiers the key may use" + (allowedTiers.isEmpty() ? ""
            : " (" + String.join(", ", allowedTiers.stream().sorted().toList()) + ")")
        + " and not on the key's model allow-list.");
  }

  private static String strongest(final Set<String> tiers) {
    return tiers.stream().max(BY_STRENGTH).orElseThrow();
  }

  private static Set<String> lowerCase(final List<String> tiers) {
    return tiers.stream()
        .filter(tier -> tier != null && !tier.isBlank())
        .map(tier -> tier.trim().toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());
  }
}
