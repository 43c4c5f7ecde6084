package dev.tiergate.router;

import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.router.RoutingOutcome.Unroutable;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Resolves a request to a model chain against the routing table. The table is a lookup function and
 * the clock a parameter, so the rules are testable without Kafka.
 *
 * <p>The tier is the request's {@code tier}, else the tier named by a virtual model ({@code
 * auto/<tier>} or {@code kilo-auto/<tier>}), else the default tier; the mode is the request's
 * {@code mode}, trimmed and lower-cased, or none. Then, first match wins:
 *
 * <ol>
 *   <li>an explicit {@code provider/model} requested model (one that does not start with {@code
 *       auto/} or {@code kilo-auto/}) bypasses the table: chain = that model, rule key {@code
 *       explicit};
 *   <li>{@code tier/mode} (skipped when there is no mode);
 *   <li>{@code tier/*}, the tier's default;
 *   <li>a tier with neither (an unknown tier, or one without a default) falls back to the default
 *       tier: {@code default/mode}, then {@code default/*};
 *   <li>nothing: the request is unroutable and gets an error reply of type {@code unroutable}
 *       (HTTP 422) naming the tier, the mode and the keys tried.
 * </ol>
 *
 * A rule whose model chain is empty counts as missing.
 */
final class RouteResolver {

  static final String EXPLICIT_RULE = "explicit";
  static final String NO_MODE = "none";
  static final String WILDCARD = "*";
  static final String UNROUTABLE = "unroutable";
  static final int UNROUTABLE_STATUS = 422;
  private static final List<String> VIRTUAL_MODEL_PREFIXES = List.of("auto/", "kilo-auto/");

  private final String defaultTier;

  RouteResolver(final String defaultTier) {
    this.defaultTier = Objects.requireNonNull(defaultTier, "defaultTier").toLowerCase(Locale.ROOT);
  }

  static String ruleKey(final String tier, final String mode) {
    return tier + "/" + mode;
  }

  RoutingOutcome resolve(
      final ChatRequest request, final Function<String, Route> table, final Instant now) {
    final Optional<String> mode = normalized(request.getMode());
    final String tier = tierOf(request);
    final Optional<String> explicit = explicitModel(request.getRequestedModel());
    if (explicit.isPresent()) {
      final String reason = "explicit model " + explicit.get() + " requested; routing table bypassed";
      final Match match = new Match(EXPLICIT_RULE, List.of(explicit.get()), Map.of(), reason);
      return routed(request, tier, mode, match, now);
    }
    final List<String> tried = new ArrayList<>();
    final Optional<Match> own = lookup(tier, mode, table, tried);
    if (own.isPresent()) {
      return routed(request, tier, mode, own.get(), now);
    }
    if (!tier.equals(defaultTier)) {
      final Optional<Match> fallback = lookup(defaultTier, mode, table, tried);
      if (fallback.isPresent()) {
        final String prefix =
            "tier " + tier + " has no rule for this request; fell back to default tier "
                + defaultTier + ": ";
        return routed(request, defaultTier, mode, fallback.get().withReasonPrefix(prefix), now);
      }
    }
    return unroutable(request, tier, mode, tried, now);
  }

  private Optional<Match> lookup(
      final String tier,
      final Optional<String> mode,
      final Function<String, Route> table,
      final List<String> tried) {
    final String tierDefault = ruleKey(tier, WILDCARD);
    if (mode.isPresent()) {
      final String exact = ruleKey(tier, mode.get());
      tried.add(exact);
      final Optional<Match> match = find(table, exact, exact + " matched");
      if (match.isPresent()) {
        return match;
      }
      tried.add(tierDefault);
      return find(table, tierDefault, "no rule " + exact + "; fell back to " + tierDefault);
    }
    tried.add(tierDefault);
    return find(table, tierDefault, "no mode given; " + tierDefault + " matched");
  }

  private static Optional<Match> find(
      final Function<String, Route> table, final String key, final String reason) {
    final Route route = table.apply(key);
    if (route == null || route.getModels().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Match(key, route.getModels(), route.getParams(), reason));
  }

  private String tierOf(final ChatRequest request) {
    return normalized(request.getTier())
        .or(() -> virtualTier(request.getRequestedModel()))
        .orElse(defaultTier);
  }

  private static Optional<String> virtualTier(final String requestedModel) {
    return normalized(requestedModel)
        .flatMap(
            model ->
                VIRTUAL_MODEL_PREFIXES.stream()
                    .filter(model::startsWith)
                    .findFirst()
                    .flatMap(prefix -> normalized(model.substring(prefix.length()))));
  }

  /** An explicit {@code provider/model}: both parts present and not a virtual auto model. */
  static Optional<String> explicitModel(final String requestedModel) {
    if (requestedModel == null) {
      return Optional.empty();
    }
    final String model = requestedModel.trim();
    final int slash = model.indexOf('/');
    final String lower = model.toLowerCase(Locale.ROOT);
    final boolean virtual = VIRTUAL_MODEL_PREFIXES.stream().anyMatch(lower::startsWith);
    return slash > 0 && slash < model.length() - 1 && !virtual
        ? Optional.of(model)
        : Optional.empty();
  }

  private static Optional<String> normalized(final String value) {
    return value == null || value.isBlank()
        ? Optional.empty()
        : Optional.of(value.trim().toLowerCase(Locale.ROOT));
  }

  private static RoutingOutcome routed(
      final ChatRequest request,
      final String tier,
      final Optional<String> mode,
      final Match match,
      final Instant now) {
    final RoutingDecision decision =
        RoutingDecision.newBuilder()
            .setModelChain(List.copyOf(match.models()))
            .setTier(tier)
            .setMode(mode.orElse(NO_MODE))
            .setRuleKey(match.ruleKey())
            .setReason(match.reason())
            .setPredicted(false)
            .setParams(new HashMap<>(match.params()))
            .setRoutedAt(now)
            .build();
    return new Routed(RoutedRequest.newBuilder().setRequest(request).setDecision(decision).build());
  }

  private static RoutingOutcome unroutable(
      final ChatRequest request,
      final String tier,
      final Optional<String> mode,
      final List<String> tried,
      final Instant now) {
    final String message =
        "no route for tier '" + tier + "' and mode '" + mode.orElse(NO_MODE) + "' (tried "
            + String.join(", ", tried) + ")";
    final ErrorInfo error =
        ErrorInfo.newBuilder()
            .setType(UNROUTABLE)
            .setMessage(message)
            .setHttpStatus(UNROUTABLE_STATUS)
            .build();
    final ChatResponse response =
        ChatResponse.newBuilder()
            .setCorrelationId(request.getCorrelationId())
            .setSessionId(request.getSessionId())
            .setTenant(request.getTenant())
            .setFinishReason("error")
            .setTier(tier)
            .setMode(mode.orElse(NO_MODE))
            .setError(error)
            .setBatchId(request.getBatchId())
            .setBatchItemId(request.getBatchItemId())
            .setCreatedAt(now)
            .build();
    return new Unroutable(response);
  }

  /** A matched rule: its key, chain, parameters and why it was chosen. */
  private record Match(
      String ruleKey, List<String> models, Map<String, String> params, String reason) {

    Match withReasonPrefix(final String prefix) {
      return new Match(ruleKey, models, params, prefix + reason);
    }
  }
}
