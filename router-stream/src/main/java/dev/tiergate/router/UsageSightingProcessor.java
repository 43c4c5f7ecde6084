package dev.tiergate.router;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.UsageEvent;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code tiergate.usage} for the reservation step: where each usage of a tenant with a REJECT
 * budget sits (partition, offset), keyed by tenant for the repartition. The position is what the
 * budget state's booked mark is compared with. A usage that does not decode is skipped here
 * (accounting dead-letters it); its request's reservation then ends at its release time.
 */
final class UsageSightingProcessor
    implements Processor<String, byte[], String, ReservationEvent> {

  private static final Logger LOG = LoggerFactory.getLogger(UsageSightingProcessor.class);

  private final Deserializer<UsageEvent> usage;
  private final String budgetsStore;
  private final long refreshMillis;
  private ProcessorContext<String, ReservationEvent> context;
  private BudgetIndex<Budget> budgets;

  /** @param budgetsStore the budgets' global store */
  UsageSightingProcessor(
      final Deserializer<UsageEvent> usage, final String budgetsStore, final long refreshMillis) {
    this.usage = Objects.requireNonNull(usage, "usage");
    this.budgetsStore = Objects.requireNonNull(budgetsStore, "budgetsStore");
    this.refreshMillis = refreshMillis;
  }

  @Override
  public void init(final ProcessorContext<String, ReservationEvent> context) {
    this.context = context;
    this.budgets = BudgetIndex.ofBudgets(context.getStateStore(budgetsStore), refreshMillis);
  }

  @Override
  public void process(final Record<String, byte[]> record) {
    final RecordMetadata where = context.recordMetadata().orElse(null);
    if (where == null || record.value() == null) {
      return;
    }
    final UsageEvent event;
    try {
      event = usage.deserialize(where.topic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      LOG.warn("Skipping an undecodable usage at {}-{}@{}: {}",
          where.topic(), where.partition(), where.offset(), e.toString());
      return;
    }
    if (event == null || !hasRejectBudget(event.getTenant())) {
      return;
    }
    context.forward(new Record<>(event.getTenant(),
        new ReservationEvent.UsageSeen(event.getCorrelationId(), where.partition(), where.offset()),
        record.timestamp()));
  }

  private boolean hasRejectBudget(final String tenant) {
    return budgets.budgets(tenant, context.currentSystemTimeMs()).stream()
        .anyMatch(budget -> budget.getAction() == BudgetAction.REJECT);
  }
}
