package dev.tiergate.ingress.openrouter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.auth.KeyDirectory;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.ApiDialect;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.BudgetState;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.OptionalLong;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The calls a Kilo client makes when it signs in: {@code GET /api/profile} (the key's tenant as the
 * user, no organisations), {@code GET /api/profile/balance} (what the tenant may still spend) and
 * {@code GET /api/defaults} (the virtual models it should preselect).
 *
 * <p>The balance is the remaining amount of the tightest tenant-wide budget in its current period,
 * read from the compacted {@code tiergate.budgets} (limits) and {@code tiergate.budget-state}
 * (spend, written by accounting): the same records the router enforces budgets from, so the
 * ingress needs no call to accounting. Budgets scoped to one mode or feature do not cap the
 * tenant's other requests and are left out.
 */
public final class KiloAccount {

  static final String DEFAULT_MODEL = "kilo-auto/balanced";
  static final String DEFAULT_FREE_MODEL = "kilo-auto/free";
  /**
   * The balance reported when no budget limits the tenant. Kilo clients treat a balance of zero
   * (or none) as "out of credits", so no limit reads as a large positive amount.
   */
  static final long UNLIMITED_MICROS = 1_000_000L * 1_000_000L;
  /** Profiles need an e-mail; a tenant has none, so it gets one in the reserved .invalid domain. */
  static final String EMAIL_DOMAIN = "@tiergate.invalid";

  private final KeyDirectory keys;
  private final LiveTable<Budget> budgets;
  private final LiveTable<BudgetState> states;
  private final ObjectMapper mapper;
  private final ApiDialect errors;
  private final Clock clock;

  public KiloAccount(
      final KeyDirectory keys,
      final LiveTable<Budget> budgets,
      final LiveTable<BudgetState> states,
      final ObjectMapper mapper,
      final ApiDialect errors,
      final Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.budgets = Objects.requireNonNull(budgets, "budgets");
    this.states = Objects.requireNonNull(states, "states");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.errors = Objects.requireNonNull(errors, "errors");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** {@code GET /api/profile}: both shapes Kilo's clients read (top-level and under {@code user}). */
  public Publisher<Void> profile(final HttpServerRequest request, final HttpServerResponse response) {
    return HttpReplies.authenticated(keys, request.requestHeaders()::get, response, errors,
        caller -> profile(caller, response));
  }

  private Publisher<Void> profile(final Caller caller, final HttpServerResponse response) {
    final ObjectNode root = mapper.createObjectNode();
    final String email = caller.tenant() + EMAIL_DOMAIN;
    root.put("id", caller.tenant());
    root.put("name", caller.tenant());
    root.put("email", email);
    final ObjectNode user = root.putObject("user");
    user.put("id", caller.tenant());
    user.put("name", caller.tenant());
    user.put("email", email);
    user.putNull("image");
    root.putArray("organizations");
    return HttpReplies.send(response, HttpResponseStatus.OK, root.toString());
  }

  /** {@code GET /api/profile/balance}: dollars left under the tightest tenant-wide budget. */
  public Publisher<Void> balance(final HttpServerRequest request, final HttpServerResponse response) {
    return HttpReplies.authenticated(keys, request.requestHeaders()::get, response, errors,
        caller -> balance(caller, response));
  }

  private Publisher<Void> balance(final Caller caller, final HttpServerResponse response) {
    if (!budgets.isCaughtUp() || !states.isCaughtUp()) {
      return HttpReplies.error(response, new GatewayException(503, "server_error", "not_ready",
          null, "The gateway has not read its budgets yet; retry shortly."), null, errors);
    }
    final OptionalLong remaining = remainingMicros(caller.tenant(), clock.instant());
    final long micros = remaining.orElse(UNLIMITED_MICROS);
    final ObjectNode root = mapper.createObjectNode();
    root.put("balance", BigDecimal.valueOf(micros, 6));
    root.put("isDepleted", micros <= 0);
    root.put("limited", remaining.isPresent());
    return HttpReplies.send(response, HttpResponseStatus.OK, root.toString());
  }

  /** {@code GET /api/defaults} and {@code /api/organizations/{id}/defaults}. */
  public Publisher<Void> defaults(final HttpServerRequest request, final HttpServerResponse response) {
    final ObjectNode root = mapper.createObjectNode();
    root.put("defaultModel", DEFAULT_MODEL);
    root.put("defaultFreeModel", DEFAULT_FREE_MODEL);
    return HttpReplies.send(response, HttpResponseStatus.OK, root.toString());
  }

  /**
   * The least any tenant-wide budget of the tenant has left in its current period (never below
   * zero), or empty when no such budget exists.
   */
  OptionalLong remainingMicros(final String tenant, final Instant now) {
    return budgets.snapshot().values().stream()
        .filter(budget -> budget.getTenant().equals(tenant))
        .filter(budget -> budget.getMode() == null && budget.getFeature() == null)
        .mapToLong(budget -> Math.max(0, budget.getLimitMicros() - spentMicros(budget, now)))
        .min();
  }

  /** Spend recorded in the budget's current period; a state from an earlier period counts zero. */
  private long spentMicros(final Budget budget, final Instant now) {
    return states.get(budget.getBudgetId())
        .filter(state -> state.getPeriodStart().equals(periodStart(budget.getPeriod(), now)))
        .map(BudgetState::getSpentMicros)
        .orElse(0L);
  }

  /** The UTC day or month holding {@code at}: the same periods accounting books budgets in. */
  static Instant periodStart(final BudgetPeriod period, final Instant at) {
    if (period == BudgetPeriod.DAY) {
      return at.truncatedTo(ChronoUnit.DAYS);
    }
    return LocalDate.ofInstant(at, ZoneOffset.UTC).withDayOfMonth(1)
        .atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
