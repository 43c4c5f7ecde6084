package dev.tiergate.router;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The outstanding reservations of one router task (the tenants of its partition), with the sum per
 * budget kept as they change, so admitting a request costs a lookup per budget and not a scan. An
 * in-memory mirror of the task's reservations store: rebuilt from the store when the task starts
 * (after the store is restored from its changelog), and every change it reports is written back to
 * the store by the caller. Bounded by the requests in flight: each entry ends at its release time.
 *
 * <p>A reservation stops counting against a budget when that budget's published spend includes the
 * request's usage ({@link BudgetBook#booked}): from then on its real cost is in the spend, so it
 * is never counted twice, and until then its bound is, so it is never missed. Or when its release
 * time passes, usage or not.
 */
final class ReservationLedger {

  /** What changed, for the caller to mirror into the store. */
  record Changes(List<Reservation> updated, List<String> removed) {
    static Changes none() {
      return new Changes(List.of(), List.of());
    }

    boolean isEmpty() {
      return updated.isEmpty() && removed.isEmpty();
    }
  }

  private final Map<String, Reservation> byId = new HashMap<>();
  private final Map<String, Set<String>> idsByTenant = new HashMap<>();
  private final Map<String, Long> outstandingByBudget = new HashMap<>();

  /**
   * The room left in a budget: {@code limit − spent − outstanding}, saturating instead of
   * overflowing. A request fits when its bound is at most this.
   */
  static long room(final long limit, final long spent, final long outstanding) {
    final long afterSpent = saturatedSubtract(limit, spent);
    return saturatedSubtract(afterSpent, outstanding);
  }

  static boolean fits(final long micros, final long limit, final long spent, final long outstanding) {
    return micros <= room(limit, spent, outstanding);
  }

  Reservation get(final String correlationId) {
    return byId.get(correlationId);
  }

  /** The bounds of the reservations still held against the budget. */
  long outstanding(final String budgetId) {
    return outstandingByBudget.getOrDefault(budgetId, 0L);
  }

  int size() {
    return byId.size();
  }

  /** Adds (or replaces) a reservation. */
  void add(final Reservation reservation) {
    Objects.requireNonNull(reservation, "reservation");
    remove(reservation.correlationId());
    byId.put(reservation.correlationId(), reservation);
    idsByTenant.computeIfAbsent(reservation.tenant(), t -> new LinkedHashSet<>())
        .add(reservation.correlationId());
    for (final String budget : reservation.budgetIds()) {
      outstandingByBudget.merge(budget, reservation.micros(), Math::addExact);
    }
  }

  /**
   * The request's usage was seen at {@code partition}/{@code offset}: remembered (the first one
   * only: a repeated call's usage is not the one accounting books first), then settled against
   * every budget that has booked it already.
   */
  Changes usageSeen(
      final String correlationId, final int partition, final long offset, final BudgetBook book) {
    final Reservation held = byId.get(correlationId);
    if (held == null || held.usageSeen()) {
      return Changes.none();
    }
    final List<Reservation> updated = new ArrayList<>();
    final List<String> removed = new ArrayList<>();
    settle(held.withUsage(partition, offset), book, true, updated, removed);
    return new Changes(updated, removed);
  }

  /** Releases what has passed its release time and settles what is booked; one tenant's only. */
  Changes sweep(final String tenant, final Instant now, final BudgetBook book) {
    final Set<String> ids = idsByTenant.get(tenant);
    return ids == null ? Changes.none() : sweep(List.copyOf(ids), now, book);
  }

  /** {@link #sweep(String, Instant, BudgetBook)} over every tenant. */
  Changes sweepAll(final Instant now, final BudgetBook book) {
    return sweep(List.copyOf(byId.keySet()), now, book);
  }

  private Changes sweep(final List<String> ids, final Instant now, final BudgetBook book) {
    final List<Reservation> updated = new ArrayList<>();
    final List<String> removed = new ArrayList<>();
    for (final String id : ids) {
      final Reservation held = byId.get(id);
      if (!now.isBefore(held.releaseAt())) {
        remove(id);
        removed.add(id);
      } else if (held.usageSeen()) {
        settle(held, book, false, updated, removed);
      }
    }
    return new Changes(updated, removed);
  }

  /** Drops the budgets that have booked the usage; the whole reservation when none is left. */
  private void settle(
      final Reservation held,
      final BudgetBook book,
      final boolean changed,
      final List<Reservation> updated,
      final List<String> removed) {
    final List<String> remaining = new ArrayList<>();
    for (final String budget : held.budgetIds()) {
      if (!book.booked(budget, held.usagePartition(), held.usageOffset())) {
        remaining.add(budget);
      }
    }
    if (remaining.isEmpty()) {
      remove(held.correlationId());
      removed.add(held.correlationId());
    } else if (changed || remaining.size() != held.budgetIds().size()) {
      final Reservation next = held.withBudgets(remaining);
      add(next);
      updated.add(next);
    }
  }

  private void remove(final String correlationId) {
    final Reservation held = byId.remove(correlationId);
    if (held == null) {
      return;
    }
    final Set<String> ids = idsByTenant.get(held.tenant());
    ids.remove(correlationId);
    if (ids.isEmpty()) {
      idsByTenant.remove(held.tenant());
    }
    for (final String budget : held.budgetIds()) {
      final long left = outstandingByBudget.get(budget) - held.micros();
      if (left == 0) {
        outstandingByBudget.remove(budget);
      } else {
        outstandingByBudget.put(budget, left);
      }
    }
  }

  private static long saturatedSubtract(final long a, final long b) {
    final long result = a - b;
    // Overflow only when the operands have different signs and the result's sign differs from a's.
    if (((a ^ b) & (a ^ result)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return result;
  }
}
