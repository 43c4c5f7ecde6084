package dev.tiergate.router;

import dev.tiergate.router.BudgetGuard.Downgrade;
import dev.tiergate.router.BudgetGuard.Reject;
import dev.tiergate.router.BudgetGuard.Verdict;
import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.router.RoutingOutcome.Unroutable;
import dev.tiergate.router.predict.BackgroundCalls;
import dev.tiergate.router.predict.DifficultyScorer;
import dev.tiergate.router.predict.DifficultyScorer.Prediction;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.ModelSpec;
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
 * The routing decision, without Kafka: the tables ({@link RoutingTables}), the session's last
 * choice and the clock are parameters, so every rule is testable and benchmarkable as a plain call.
 *
 * <p>The tier is the request's {@code tier}, else the tier named by a virtual model ({@code
 * auto/<tier>} or {@code kilo-auto/<tier>}), else the default tier; the mode is the request's
 * {@code mode}, trimmed and lower-cased, or none. Then, in order:
 *
 * <ol>
 *   <li>budgets: an exhausted REJECT budget of the tenant refuses the request ({@code
 *       insufficient_quota}, HTTP 429); an exhausted DOWNGRADE budget lowers the tier one step
 *       (frontier → balanced → small) after prediction;
 *   <li>an explicit {@code provider/model} requested model: missing from a non-empty catalogue
 *       is refused ({@code model_not_found}, 404); a model the key may not use is refused ({@code
 *       model_not_allowed}, 403; see {@link ExplicitModelAccess}); else it bypasses the table (rule
 *       {@code explicit}) as the tier it serves, unless an exhausted DOWNGRADE budget replaces it
 *       with the next lower tier's chain for the mode;
 *   <li>background calls: a request shaped like an agent's side call (title, summary, commit
 *       message, safety check; see {@link BackgroundCalls}) without a mode or with a working mode
 *       gets the inferred mode and the small tier, never above the caller's ({@code
 *       predicted=true} with a mode: the mode source is {@code inferred});
 *   <li>no mode: the difficulty predictor (when configured) scores the request and maps the score
 *       to frontier, balanced or small, never above the caller's tier ({@code predicted=true});
 *   <li>rule lookup: {@code tier/mode}, then {@code tier/*}; a tier with neither falls back to the
 *       default tier's {@code mode} and {@code *} rules; else the request is unroutable (HTTP 422);
 *   <li>capabilities: models whose context window is below the estimated tokens, or that lack tools
 *       or images support the request needs, are skipped; nothing left is unroutable;
 *   <li>embeddings ({@code apiKind EMBEDDINGS}): the mode is {@code embeddings} and only the rule
 *       {@code tier/embeddings} (then the default tier's) matches, never {@code tier/*}; no
 *       prediction; only models with the {@code embeddings} capability serve them, and those serve
 *       nothing else (an explicit model of the wrong kind is refused, {@code model_not_supported},
 *       400);
 *   <li>stickiness: the session stays on its last model unless the first choice is cheaper by the
 *       switch factor; a family change is flagged ({@code familySwitch}).
 * </ol>
 *
 * Every step that changed something adds a clause to the decision's reason.
 */
public final class RouteResolver {

  static final String EXPLICIT_RULE = "explicit";
  static final String NO_MODE = "none";
  static final String WILDCARD = "*";
  static final String UNROUTABLE = "unroutable";
  static final int UNROUTABLE_STATUS = 422;
  static final String MODEL_NOT_ALLOWED = "model_not_allowed";
  static final int MODEL_NOT_ALLOWED_STATUS = 403;
  static final String MODEL_NOT_FOUND = "model_not_found";
  static final int MODEL_NOT_FOUND_STATUS = 404;
  /** A request whose deadline passed before it was routed: the caller gave up (504, no charge). */
  static final String DEADLINE_EXCEEDED = "deadline_exceeded";
  static final int DEADLINE_EXCEEDED_STATUS = 504;
  /** An explicit model of the wrong kind: a chat model for embeddings or the other way round. */
  static final String MODEL_NOT_SUPPORTED = "model_not_supported";
  static final int MODEL_NOT_SUPPORTED_STATUS = 400;
  /** The mode of every embeddings request: the rules {@code <tier>/embeddings} route them. */
  static final String EMBEDDINGS_MODE = "embeddings";
  static final String INSUFFICIENT_QUOTA = "insufficient_quota";
  static final int INSUFFICIENT_QUOTA_STATUS = 429;
  /** Tiers by strength, for capping a predicted tier at the caller's. */
  static final Map<String, Integer> TIER_RANK =
      Map.of("free", 0, "small", 1, "balanced", 2, "frontier", 3);
  private static final List<String> VIRTUAL_MODEL_PREFIXES = List.of("auto/", "kilo-auto/");
  private static final RoutingTables NO_TABLES = RoutingTables.of(Map.of(), Map.of(), Map.of());

  /** A decision and the session state to remember (empty when the session is left as it was). */
  public record Decision(RoutingOutcome outcome, Optional<SessionRoute> session) {
    public Decision {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(session, "session");
    }
  }

  private final String defaultTier;
  private final DifficultyScorer predictor;
  private final BackgroundCalls background;
  private final CapabilityFilter capabilities;
  private final Stickiness stickiness;

  /** Table lookup and fallbacks only: no predictor; stickiness and capabilities need a catalogue. */
  public RouteResolver(final String defaultTier) {
    this(defaultTier, null, RouterConfig.DEFAULT_SWITCH_FACTOR, new TokenEstimator());
  }

  /**
   * @param predictor scores requests without a mode; null routes them to the tier default
   * @param switchFactor how much cheaper a new choice must be to leave a session's model (>= 1)
   */
  public RouteResolver(
      final String defaultTier,
      final DifficultyScorer predictor,
      final double switchFactor,
      final TokenEstimator tokens) {
    this(defaultTier, predictor, null, switchFactor, tokens);
  }

  /**
   * @param predictor scores requests without a mode; null routes them to the tier default
   * @param background recognises agents' side calls; null leaves them to the mode and predictor
   * @param switchFactor how much cheaper a new choice must be to leave a session's model (>= 1)
   */
  public RouteResolver(
      final String defaultTier,
      final DifficultyScorer predictor,
      final BackgroundCalls background,
      final double switchFactor,
      final TokenEstimator tokens) {
    this.defaultTier = Objects.requireNonNull(defaultTier, "defaultTier").toLowerCase(Locale.ROOT);
    this.predictor = predictor;
    this.background = background;
    this.capabilities = new CapabilityFilter(tokens);
    this.stickiness = new Stickiness(switchFactor);
  }

  static String ruleKey(final String tier, final String mode) {
    return tier + "/" + mode;
  }

  /** The table-only decision: no catalogue, budgets, session or prediction. */
  public RoutingOutcome resolve(
      final ChatRequest request, final Function<String, Route> table, final Instant now) {
    Objects.requireNonNull(table, "table");
    final RoutingTables tables = new RoutingTables() {
      @Override
      public Route route(final String key) {
        return table.apply(key);
      }

      @Override
      public ModelSpec model(final String id) {
        return null;
      }

      @Override
      public List<dev.tiergate.schemas.BudgetState> budgets(final String tenant) {
        return List.of();
      }
    };
    return decide(request, tables, null, now, false).outcome();
  }

  /** The full decision; {@code session} is the session's last choice, or null. */
  public Decision decide(
      final ChatRequest request,
      final RoutingTables tables,
      final SessionRoute session,
      final Instant now) {
    Objects.requireNonNull(tables, "tables");
    return decide(request, tables, session, now, true);
  }

  private Decision decide(
      final ChatRequest request,
      final RoutingTables tables,
      final SessionRoute session,
      final Instant now,
      final boolean infer) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(now, "now");
    // Embeddings have one rule per tier, tier/embeddings, whatever mode the caller named; they are
    // never background calls nor predicted.
    final boolean embeddings = CapabilityFilter.isEmbeddings(request);
    final Optional<BackgroundCalls.Match> side =
        infer && !embeddings ? backgroundCall(request) : Optional.empty();
    final Optional<String> mode = embeddings
        ? Optional.of(EMBEDDINGS_MODE)
        : side.map(BackgroundCalls.Match::mode).or(() -> normalized(request.getMode()));
    final String callerTier = tierOf(request);
    if (request.getDeadline() != null && !now.isBefore(request.getDeadline())) {
      // Nobody waits for the answer any more: not routed, never sent to a provider, no charge.
      return refused(request, callerTier, mode, DEADLINE_EXCEEDED, DEADLINE_EXCEEDED_STATUS,
          "the request's deadline passed before it was routed", now);
    }
    final Verdict verdict = BudgetGuard.check(
        request.getTenant(), mode, request.getFeature(), tables.budgets(request.getTenant()), now);
    if (verdict instanceof Reject reject) {
      return refused(request, callerTier, mode, INSUFFICIENT_QUOTA, INSUFFICIENT_QUOTA_STATUS,
          reject.message(), now);
    }
    final Optional<String> explicit = explicitModel(request.getRequestedModel());
    if (explicit.isPresent()) {
      return explicit(request, explicit.get(), callerTier, mode, verdict, tables, session, now);
    }
    final Choice choice = side.isPresent()
        ? chooseBackground(request, side.get(), callerTier, mode, verdict, tables)
        : choose(request, callerTier, mode, verdict, tables,
            infer && predictor != null && !embeddings);
    if (choice == null) {
      return unroutable(request, callerTier, mode, tables, now);
    }
    return finish(request, choice, mode, tables, session, now);
  }

  /**
   * An explicit model: refused when the catalogue lacks it or the key may not use it; else served
   * as the tier it serves for this key, or, under an exhausted DOWNGRADE budget, replaced by the
   * chain of the next lower tier for the request's mode (small and free keep the model).
   */
  private Decision explicit(
      final ChatRequest request,
      final String model,
      final String callerTier,
      final Optional<String> mode,
      final Verdict verdict,
      final RoutingTables tables,
      final SessionRoute session,
      final Instant now) {
    if (tables.model(model) == null && tables.hasCatalogue()) {
      return refused(request, callerTier, mode, MODEL_NOT_FOUND, MODEL_NOT_FOUND_STATUS,
          "The model '" + model + "' does not exist; see GET /v1/models.", now);
    }
    final ModelSpec spec = tables.model(model);
    final String mismatch = spec == null ? null : CapabilityFilter.kindMismatch(request, spec);
    if (mismatch != null) {
      return refused(request, callerTier, mode, MODEL_NOT_SUPPORTED, MODEL_NOT_SUPPORTED_STATUS,
          "The model '" + model + "' cannot serve this request: " + mismatch + ".", now);
    }
    final ExplicitModelAccess.Verdict access =
        ExplicitModelAccess.check(request, model, callerTier, tables.tiersServing(model));
    if (access instanceof ExplicitModelAccess.Refused refusal) {
      return refused(request, callerTier, mode, MODEL_NOT_ALLOWED, MODEL_NOT_ALLOWED_STATUS,
          refusal.message(), now);
    }
    final ExplicitModelAccess.Allowed allowed = (ExplicitModelAccess.Allowed) access;
    final String tier = allowed.tier();
    String reason = allowed.why() + "; routing table bypassed";
    if (verdict instanceof Downgrade downgrade) {
      final String lower = BudgetGuard.downgrade(tier);
      if (!lower.equals(tier)) {
        final String note = downgrade.note() + ": explicit model " + model + " (tier " + tier
            + ") replaced by tier " + lower + "'s chain; ";
        final Optional<Match> match = lookupWithFallback(lower, mode, tables, new ArrayList<>());
        if (match.isEmpty()) {
          return unroutable(request, lower, mode, tables, now);
        }
        final Match found = match.get().withReasonPrefix(note);
        return finish(request, new Choice(found.tier() == null ? lower : found.tier(), false, found),
            mode, tables, session, now);
      }
      reason += "; " + downgrade.note() + " but tier " + tier + " has no lower tier";
    }
    final Match match = new Match(EXPLICIT_RULE, List.of(model), Map.of(), reason);
    return finish(request, new Choice(tier, false, match), mode, tables, session, now);
  }

  /**
   * The side call's kind, when the recogniser is on, the request names no model of its own and its
   * mode is absent or not already a background mode (the caller's own label wins then).
   */
  private Optional<BackgroundCalls.Match> backgroundCall(final ChatRequest request) {
    if (background == null || explicitModel(request.getRequestedModel()).isPresent()) {
      return Optional.empty();
    }
    final Optional<String> given = normalized(request.getMode());
    if (given.isPresent() && background.modes().contains(given.get())) {
      return Optional.empty();
    }
    return background.recognise(request);
  }

  /** A recognised side call: the small tier (or the caller's, when lower) and the inferred mode. */
  private Choice chooseBackground(
      final ChatRequest request,
      final BackgroundCalls.Match side,
      final String callerTier,
      final Optional<String> mode,
      final Verdict verdict,
      final RoutingTables tables) {
    final String small = "small";
    final String tier = TIER_RANK.containsKey(callerTier)
        && TIER_RANK.get(callerTier) < TIER_RANK.get(small) ? callerTier : small;
    final String given = normalized(request.getMode()).map(m -> "mode " + m).orElse("no mode");
    String note = String.format(Locale.ROOT, "%s; looks like an agent's %s call (\"%s\") -> mode %s,"
        + " tier %s", given, side.mode(), side.cue(), side.mode(), tier);
    String finalTier = tier;
    if (verdict instanceof Downgrade downgrade && !BudgetGuard.downgrade(tier).equals(tier)) {
      finalTier = BudgetGuard.downgrade(tier);
      note += "; " + downgrade.note() + ": tier " + tier + " -> " + finalTier;
    }
    final Optional<Match> match = lookupWithFallback(finalTier, mode, tables, new ArrayList<>());
    if (match.isEmpty()) {
      return null;
    }
    final Match found = match.get().withReasonPrefix(note + "; ");
    return new Choice(found.tier() == null ? finalTier : found.tier(), true, found);
  }

  /** The tier (predicted, downgraded) and the rule that matched; null when no rule did. */
  private Choice choose(
      final ChatRequest request,
      final String callerTier,
      final Optional<String> mode,
      final Verdict verdict,
      final RoutingTables tables,
      final boolean predict) {
    String tier = callerTier;
    final List<String> notes = new ArrayList<>();
    boolean predicted = false;
    if (predict && mode.isEmpty() && TIER_RANK.containsKey(tier)) {
      final Double share = request.getStrongShare();
      final Prediction prediction = predictor.predict(request, share);
      final String guess = prediction.tier();
      final String capped = TIER_RANK.get(guess) <= TIER_RANK.get(tier) ? guess : tier;
      notes.add(String.format(Locale.ROOT, "no mode; predictor score %.3f%s%s -> %s%s",
          prediction.score(),
          prediction.standIn().map(model -> " by the " + model + " model (embedding time spent)")
              .orElse(""),
          share == null ? "" : String.format(Locale.ROOT, " (key's strong share %.2f)", share), guess,
          capped.equals(guess) ? "" : ", capped at the caller's tier " + tier));
      tier = capped;
      predicted = true;
    }
    if (verdict instanceof Downgrade downgrade) {
      final String lower = BudgetGuard.downgrade(tier);
      notes.add(downgrade.note() + ": tier " + tier + " -> " + lower);
      tier = lower;
    }
    final Optional<Match> match = lookupWithFallback(tier, mode, tables, new ArrayList<>());
    if (match.isEmpty()) {
      return null;
    }
    final String prefix = notes.isEmpty() ? "" : String.join("; ", notes) + "; ";
    final Match found = match.get().withReasonPrefix(prefix);
    return new Choice(found.tier() == null ? tier : found.tier(), predicted, found);
  }

  private Optional<Match> lookupWithFallback(
      final String tier, final Optional<String> mode, final RoutingTables tables,
      final List<String> tried) {
    final Optional<Match> own = lookup(tier, mode, tables, tried);
    if (own.isPresent() || tier.equals(defaultTier)) {
      return own;
    }
    return lookup(defaultTier, mode, tables, tried)
        .map(m -> m.withReasonPrefix("tier " + tier
            + " has no rule for this request; fell back to default tier " + defaultTier + ": ")
            .withTier(defaultTier));
  }

  /** Capability skips, stickiness, the decision and the session's next state. */
  private Decision finish(
      final ChatRequest request,
      final Choice choice,
      final Optional<String> mode,
      final RoutingTables tables,
      final SessionRoute session,
      final Instant now) {
    final CapabilityFilter.Filtered filtered =
        capabilities.filter(request, choice.match().models(), tables::model);
    final List<String> notes = new ArrayList<>(List.of(choice.match().reason()));
    notes.addAll(filtered.skips());
    if (filtered.models().isEmpty()) {
      return refused(request, choice.tier(), mode, UNROUTABLE, UNROUTABLE_STATUS,
          "no model of rule " + choice.match().ruleKey() + " can serve this request: "
              + String.join("; ", filtered.skips()), now);
    }
    final Stickiness.Applied sticky = stickiness.apply(filtered.models(), session, tables::model);
    if (sticky.note() != null) {
      notes.add(sticky.note());
    }
    final RoutingDecision decision =
        RoutingDecision.newBuilder()
            .setModelChain(sticky.chain())
            .setTier(choice.tier())
            .setMode(mode.orElse(NO_MODE))
            .setRuleKey(choice.match().ruleKey())
            .setReason(String.join("; ", notes))
            .setPredicted(choice.predicted())
            .setParams(new HashMap<>(choice.match().params()))
            .setFamilySwitch(sticky.familySwitch())
            .setRoutedAt(now)
            .build();
    final RoutedRequest routed =
        RoutedRequest.newBuilder().setRequest(request).setDecision(decision).build();
    return new Decision(new Routed(routed),
        Optional.of(Stickiness.next(sticky.chain(), session, tables::model, now)));
  }

  private Optional<Match> lookup(
      final String tier,
      final Optional<String> mode,
      final RoutingTables tables,
      final List<String> tried) {
    final String tierDefault = ruleKey(tier, WILDCARD);
    if (mode.isPresent() && mode.get().equals(EMBEDDINGS_MODE)) {
      // The tier's chat default is no fallback for embeddings: its models cannot embed.
      final String exact = ruleKey(tier, EMBEDDINGS_MODE);
      tried.add(exact);
      return find(tables, exact, exact + " matched");
    }
    if (mode.isPresent()) {
      final String exact = ruleKey(tier, mode.get());
      tried.add(exact);
      final Optional<Match> match = find(tables, exact, exact + " matched");
      if (match.isPresent()) {
        return match;
      }
      tried.add(tierDefault);
      return find(tables, tierDefault, "no rule " + exact + "; fell back to " + tierDefault);
    }
    tried.add(tierDefault);
    return find(tables, tierDefault, "no mode given; " + tierDefault + " matched");
  }

  private static Optional<Match> find(
      final RoutingTables tables, final String key, final String reason) {
    final Route route = tables.route(key);
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

  private Decision unroutable(
      final ChatRequest request,
      final String tier,
      final Optional<String> mode,
      final RoutingTables tables,
      final Instant now) {
    final List<String> tried = new ArrayList<>();
    lookup(tier, mode, tables, tried);
    if (!tier.equals(defaultTier)) {
      lookup(defaultTier, mode, tables, tried);
    }
    final String message =
        "no route for tier '" + tier + "' and mode '" + mode.orElse(NO_MODE) + "' (tried "
            + String.join(", ", tried) + ")";
    return refused(request, tier, mode, UNROUTABLE, UNROUTABLE_STATUS, message, now);
  }

  /** An error reply instead of a routed request; the session is left as it was. */
  static Decision refused(
      final ChatRequest request,
      final String tier,
      final Optional<String> mode,
      final String type,
      final int status,
      final String message,
      final Instant now) {
    final ErrorInfo error =
        ErrorInfo.newBuilder().setType(type).setMessage(message).setHttpStatus(status).build();
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
    return new Decision(new Unroutable(response), Optional.empty());
  }

  /** The tier finally used, whether it was predicted, and the matched rule. */
  private record Choice(String tier, boolean predicted, Match match) {}

  /** A matched rule: its key, chain, parameters, why it was chosen, and its tier if it differs. */
  private record Match(
      String ruleKey, List<String> models, Map<String, String> params, String reason, String tier) {

    Match(final String ruleKey, final List<String> models, final Map<String, String> params,
        final String reason) {
      this(ruleKey, models, params, reason, null);
    }

    Match withReasonPrefix(final String prefix) {
      return new Match(ruleKey, models, params, prefix + reason, tier);
    }

    Match withTier(final String other) {
      return new Match(ruleKey, models, params, reason, other);
    }
  }
}
