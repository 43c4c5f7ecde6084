package dev.tiergate.launcher.budgets;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

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
      final List<TopicPartition> partitions = consumer.partitionsFor(Topics.BUDGETS.name(), READ_TIMEOUT)
          .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
      final long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (!caughtUp(consumer, end.entrySet())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out reading " + Topics.BUDGETS.name());
        }
        for (final ConsumerRecord<String, Budget> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() == null) {
            latest.remove(record.key());
          } else {
            latest.put(record.key(), record.value());
          }
        }
      }
    }
    final List<Budget> budgets = new ArrayList<>(latest.values());
    budgets.sort(Comparator.comparing(Budget::getTenant).thenComparing(Budget::getBudgetId));
    return budgets;
  }

  private static boolean caughtUp(
      final KafkaConsumer<String, Budget> consumer,
      final Collection<Map.Entry<TopicPartition, Long>> end) {
    return end.stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
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
