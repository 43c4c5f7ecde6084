package dev.tiergate.router;

import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * The one place a tenant's hard budgets are spent ahead of time. Requests and usage sightings
 * arrive keyed by tenant, so every reservation of a tenant is decided by one task, whichever router
 * instance routed the request. A request is admitted when its bound fits in every REJECT budget
 * covering it — {@code limit − spent − outstanding reservations} — and refused with {@code
 * insufficient_quota} (HTTP 429) otherwise. Its reservation ends when the budget state it reads
 * includes its usage, or at its release time (deadline, or receipt plus the hold, plus the grace).
 *
 * <p>Reservations live in {@code router-reservations-store} (changelogged) and, for the hot path,
 * in a {@link ReservationLedger} rebuilt from that store when the task starts. A replayed request
 * (at-least-once) that is still held is routed again without a second reservation.
 */
final class ReserveBudgetProcessor
    implements Processor<String, ReservationEvent, String, RoutingOutcome> {

  /** Released and settled reservations are swept at least this often without traffic. */
  static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

  private final RouterConfig.Policy policy;
  private final RouterMetrics metrics;
  private final StoreNames stores;
  private final ReservationLedger ledger = new ReservationLedger();
  private ProcessorContext<String, RoutingOutcome> context;
  private KeyValueStore<String, Reservation> store;
  private BudgetIndex<Budget> budgets;
  private BudgetBook book;

  ReserveBudgetProcessor(
      final RouterConfig.Policy policy, final RouterMetrics metrics, final StoreNames stores) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.stores = Objects.requireNonNull(stores, "stores");
  }

  @Override
  public void init(final ProcessorContext<String, RoutingOutcome> context) {
    this.context = context;
    this.store = context.getStateStore(stores.reservations());
    this.budgets = BudgetIndex.ofBudgets(
        context.getStateStore(stores.budgets()), policy.budgetRefresh().toMillis());
    final TimestampedKeyValueStore<String, BudgetState> states =
        context.getStateStore(stores.budgetStates());
    this.book = new StoreBudgetBook(states);
    try (KeyValueIterator<String, Reservation> all = store.all()) {
      while (all.hasNext()) {
        final KeyValue<String, Reservation> entry = all.next();
        if (entry.value != null) {
          ledger.add(entry.value);
        }
      }
    }
    context.schedule(SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME,
        now -> mirror(ledger.sweepAll(Instant.ofEpochMilli(now), book)));
  }

  @Override
  public void process(final Record<String, ReservationEvent> record) {
    if (record.value() instanceof ReservationEvent.Reserve reserve) {
      reserve(record, reserve.routed());
    } else if (record.value() instanceof ReservationEvent.UsageSeen seen) {
      mirror(ledger.usageSeen(seen.correlationId(), seen.partition(), seen.offset(), book));
    }
  }

  private void reserve(final Record<String, ReservationEvent> record, final RoutedRequest routed) {
    final Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    final ChatRequest request = routed.getRequest();
    final String id = request.getCorrelationId();
    mirror(ledger.sweep(request.getTenant(), now, book));
    if (ledger.get(id) != null) {
      forward(record, id, new Routed(routed));
      return;
    }
    final List<Budget> covering = RejectBudgets.covering(
        budgets.budgets(request.getTenant(), now.toEpochMilli()),
        request.getTenant(), routed.getDecision(), request.getFeature());
    if (covering.isEmpty()) {
      forward(record, id, new Routed(unreserved(routed)));
      return;
    }
    final long micros = routed.getDecision().getReservedMicros();
    for (final Budget budget : covering) {
      final long spent = book.spent(budget, now);
      final long outstanding = ledger.outstanding(budget.getBudgetId());
      if (!ReservationLedger.fits(micros, budget.getLimitMicros(), spent, outstanding)) {
        metrics.error(RouteResolver.INSUFFICIENT_QUOTA);
        forward(record, id, refusal(routed, budget, micros, spent, outstanding, now));
        return;
      }
    }
    final Reservation held = Reservation.of(id, request.getTenant(), micros,
        releaseAt(request, now, policy.reservations()),
        covering.stream().map(Budget::getBudgetId).toList());
    ledger.add(held);
    store.put(id, held);
    forward(record, id, new Routed(routed));
  }

  /**
   * When a hold ends without usage: the request's deadline, or its receipt plus the hold when it
   * has none, plus the grace for the usage of a call stopped at its deadline; never before now plus
   * the grace.
   */
  static Instant releaseAt(final ChatRequest request, final Instant now, final ReservationPolicy policy) {
    final Instant end = Optional.ofNullable(request.getDeadline())
        .orElseGet(() -> request.getReceivedAt().plus(policy.hold()))
        .plus(policy.grace());
    final Instant earliest = now.plus(policy.grace());
    return end.isBefore(earliest) ? earliest : end;
  }

  private static RoutedRequest unreserved(final RoutedRequest routed) {
    return RoutedRequest.newBuilder(routed)
        .setDecision(RoutingDecision.newBuilder(routed.getDecision()).setReservedMicros(0).build())
        .build();
  }

  private static RoutingOutcome refusal(
      final RoutedRequest routed,
      final Budget budget,
      final long micros,
      final long spent,
      final long outstanding,
      final Instant now) {
    final String scope = (budget.getMode() == null ? "" : " mode " + budget.getMode())
        + (budget.getFeature() == null ? "" : " feature " + budget.getFeature());
    final String message = String.format(Locale.ROOT,
        "You exceeded your current quota: budget %s of tenant %s%s has no room for this request. "
            + "It may cost up to %s USD; %s of %s USD is spent this %s and %s USD is reserved by "
            + "requests in flight. Set max_tokens lower, or retry when those finish.",
        budget.getBudgetId(), budget.getTenant(), scope, PlanReservationProcessor.usd(micros),
        PlanReservationProcessor.usd(spent), PlanReservationProcessor.usd(budget.getLimitMicros()),
        budget.getPeriod().name().toLowerCase(Locale.ROOT),
        PlanReservationProcessor.usd(outstanding));
    final RoutingDecision decision = routed.getDecision();
    return RouteResolver.refused(routed.getRequest(), decision.getTier(),
        RouteResolver.NO_MODE.equals(decision.getMode())
            ? Optional.empty() : Optional.of(decision.getMode()),
        RouteResolver.INSUFFICIENT_QUOTA, RouteResolver.INSUFFICIENT_QUOTA_STATUS, message, now)
        .outcome();
  }

  private void forward(
      final Record<String, ReservationEvent> record, final String id, final RoutingOutcome outcome) {
    context.forward(record.withKey(id).withValue(outcome));
  }

  private void mirror(final ReservationLedger.Changes changes) {
    changes.updated().forEach(reservation -> store.put(reservation.correlationId(), reservation));
    changes.removed().forEach(store::delete);
  }
}
