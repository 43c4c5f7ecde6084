package dev.tiergate.launcher.budgets;

import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Budgets on the compacted {@code tiergate.budgets} topic: written by {@link #put}/{@link #delete}
 * (a tombstone), read back whole by {@link #list}. The accounting stream picks a change up within
 * its budget check interval; the router reads the resulting state.
 */
public final class BudgetCatalog {

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaSettings kafka;

  public BudgetCatalog(final KafkaSettings kafka) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
  }

  /** Creates or replaces a budget (same id = same budget). */
  public void put(final Budget budget) {
    Objects.requireNonNull(budget, "budget");
    send(budget.getBudgetId(), budget);
  }

  /** Deletes a budget; its state is tombstoned by the accounting stream. */
  public void delete(final String budgetId) {
    Objects.requireNonNull(budgetId, "budgetId");
    send(budgetId, null);
  }

  /** Every live budget, sorted by tenant then id. */
  public List<Budget> list() {
    final Map<String, Budget> latest = new TreeMap<>();
    final Map<String, Object> props = Map.of(
        ConsumerConfig.GROUP_ID_CONFIG, "tiergate-budgets-cli-" + UUID.randomUUID(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, Budget> consumer = new KafkaConsumer<>(
        kafka.clientProperties(props),
        Topics.BUDGETS.keySerde().deserializer(),
        Topics.BUDGETS.valueSerde(kafka.serdes()).deserializer())) {
      PartitionTail.readToEnd(
          consumer, Topics.BUDGETS.name(), READ_TIMEOUT, record -> LiveTable.apply(latest, record));
    }
    final List<Budget> budgets = new ArrayList<>(latest.values());
    budgets.sort(Comparator.comparing(Budget::getTenant).thenComparing(Budget::getBudgetId));
    return budgets;
  }

  private void send(final String key, final Budget value) {
    final Map<String, Object> props = Map.of(
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, Budget> producer = new KafkaProducer<>(
        kafka.clientProperties(props),
        Topics.BUDGETS.keySerde().serializer(),
        Topics.BUDGETS.valueSerde(kafka.serdes()).serializer())) {
      producer.send(new ProducerRecord<>(Topics.BUDGETS.name(), key, value))
          .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing budget " + key, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not write budget " + key + ": " + e.getMessage(), e);
    }
  }
}
