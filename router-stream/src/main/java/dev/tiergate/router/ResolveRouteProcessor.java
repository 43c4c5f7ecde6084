package dev.tiergate.router;

import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.router.RoutingOutcome.Unroutable;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.TiergateHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * Runs {@link RouteResolver} on each request against the global tables (routes and models through
 * their decoded in-memory views, {@link RouteIndex} and {@link Catalogue}; budget states) and the
 * session store, whose key is tenant + session ({@link #sessionKey}).
 * Requests arrive keyed by session id, so a session's state is local to this task and no
 * repartition is needed. Stores are read by key rather than through
 * DSL joins because a decision needs several lookups with fallbacks. Stamps the correlation id
 * header on the outcome, traces the decision ({@link RouteSpans}), and forgets sessions idle
 * longer than the policy allows. A session's entry is written only when it changes model or family
 * or its time has aged by the policy's refresh interval, so an agent loop that stays on one model
 * adds no changelog record per request.
 */
final class ResolveRouteProcessor
    implements FixedKeyProcessor<String, ChatRequest, RoutingOutcome> {

  /** Expired sessions are swept at most this often. */
  private static final Duration MAX_SWEEP_INTERVAL = Duration.ofMinutes(10);

  private final RouteStep step;
  private final Duration sessionRefresh;
  private FixedKeyProcessorContext<String, RoutingOutcome> context;
  private BudgetIndex<BudgetState> budgets;
  private KeyValueStore<String, SessionRoute> sessions;
  private RoutingTables tables;

  ResolveRouteProcessor(final RouteStep step) {
    this.step = Objects.requireNonNull(step, "step");
    this.sessionRefresh = step.policy().sessionRefresh();
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, RoutingOutcome> context) {
    this.context = context;
    final StoreNames stores = step.stores();
    final TimestampedKeyValueStore<String, BudgetState> budgetStore =
        context.getStateStore(stores.budgetStates());
    this.budgets = BudgetIndex.ofStates(budgetStore, step.policy().budgetRefresh().toMillis());
    this.sessions = context.getStateStore(stores.sessions());
    this.tables = new StoreTables();
    final Duration idle = step.policy().sessionIdle();
    final Duration sweep = idle.compareTo(MAX_SWEEP_INTERVAL) < 0 ? idle : MAX_SWEEP_INTERVAL;
    context.schedule(sweep, PunctuationType.WALL_CLOCK_TIME, this::forgetIdleSessions);
  }

  @Override
  public void process(final FixedKeyRecord<String, ChatRequest> record) {
    final Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    final ChatRequest request = record.value();
    final String sessionKey = sessionKey(request.getTenant(),
        record.key() != null ? record.key() : request.getSessionId());
    final SessionRoute previous = sessions.get(sessionKey);
    final RouteResolver.Decision decision = step.resolver().decide(request, tables, previous, now);
    decision.session()
        .filter(next -> previous == null || previous.supersededBy(next, sessionRefresh))
        .ifPresent(next -> sessions.put(sessionKey, next));
    count(decision.outcome());
    final Headers headers = new RecordHeaders(record.headers().toArray());
    TiergateHeaders.put(
        headers, TiergateHeaders.CORRELATION_ID, decision.outcome().correlationId());
    RouteSpans.record(headers, decision.outcome().correlationId(), decision.outcome());
    context.forward(record.withValue(decision.outcome()).withHeaders(headers));
  }

  /**
   * The session store's key: tenant and session, so a tenant that sends another tenant's session
   * id gets a session of its own. The tenant is length-prefixed, so no two pairs share a key. The
   * record is keyed by session id and the store is local to its task, so this key lives on the
   * task that reads and writes it.
   */
  static String sessionKey(final String tenant, final String sessionId) {
    final String owner = tenant == null ? "" : tenant;
    return owner.length() + ":" + owner + "/" + sessionId;
  }

  private void count(final RoutingOutcome outcome) {
    if (outcome instanceof Routed routed) {
      step.metrics().routed(routed.routed().getDecision());
    } else if (outcome instanceof Unroutable refused) {
      step.metrics().error(refused.response().getError().getType());
    }
  }

  /**
   * Forgets sessions idle longer than the policy allows. A stored time lags the session's last
   * request by less than the refresh interval (a session staying on its model is not rewritten on
   * every request), so the cutoff allows for that lag: a session is never forgotten before it has
   * been idle for the idle time, and at most one refresh interval after.
   */
  private void forgetIdleSessions(final long nowMillis) {
    final long cutoff =
        nowMillis - step.policy().sessionIdle().toMillis() - sessionRefresh.toMillis();
    final List<String> idle = new ArrayList<>();
    try (KeyValueIterator<String, SessionRoute> all = sessions.all()) {
      while (all.hasNext()) {
        final KeyValue<String, SessionRoute> entry = all.next();
        if (entry.value == null || entry.value.lastRoutedAt().toEpochMilli() < cutoff) {
          idle.add(entry.key);
        }
      }
    }
    idle.forEach(sessions::delete);
  }

  /** The stores as {@link RoutingTables}. */
  private final class StoreTables implements RoutingTables {
    @Override
    public Route route(final String key) {
      return step.routeIndex().route(key);
    }

    @Override
    public ModelSpec model(final String id) {
      return step.catalogue().model(id);
    }

    @Override
    public List<BudgetState> budgets(final String tenant) {
      return budgets.budgets(tenant, context.currentSystemTimeMs());
    }

    @Override
    public Set<String> tiersServing(final String model) {
      return step.routeIndex().tiersServing(model);
    }

    @Override
    public boolean hasCatalogue() {
      return !step.catalogue().isEmpty();
    }
  }
}
