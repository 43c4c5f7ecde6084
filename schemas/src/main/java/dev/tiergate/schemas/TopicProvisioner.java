package dev.tiergate.schemas;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics from the typed catalogue ({@link Topics}), with the catalogue's
 * partitions, cleanup policy and retention, so no topic is configured by hand: what a deployment's
 * {@code tiergate topics apply} and the local stack both run. Idempotent: topics
 * that already exist are left alone (a partition count that differs from the catalogue is logged,
 * never changed, since changing it would move keys between partitions).
 */
public final class TopicProvisioner {

  /** How long one Admin call may take. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

  private final Admin admin;
  private final Duration timeout;

  /** Uses the caller's Admin client (not closed here). Replication follows the broker default. */
  public TopicProvisioner(final Admin admin, final Duration timeout) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  public TopicProvisioner(final Admin admin) {
    this(admin, DEFAULT_TIMEOUT);
  }

  /** Creates every topic of {@link Topics#ALL} that does not exist yet. */
  public Set<String> provisionAll() {
    return provision(Topics.ALL);
  }

  /**
   * Creates the given topics where missing.
   *
   * @return the names of the topics this call created (empty when all existed already)
   */
  public Set<String> provision(final Collection<? extends Topic<?>> topics) {
    Objects.requireNonNull(topics, "topics");
    final Set<String> existing = await(admin.listTopics().names());
    final List<NewTopic> missing =
        topics.stream()
            .filter(topic -> !existing.contains(topic.name()))
            .map(TopicProvisioner::newTopic)
            .toList();
    warnOnPartitionDrift(
        topics.stream().filter(topic -> existing.contains(topic.name())).toList());
    final Set<String> created = new TreeSet<>();
    admin
        .createTopics(missing)
        .values()
        .forEach(
            (name, result) -> {
              if (createdNow(name, result)) {
                created.add(name);
              }
            });
    LOG.info("Provisioned {} topics: {} created, {} existed", topics.size(), created.size(),
        topics.size() - created.size());
    return created;
  }

  /** The Admin request for one catalogue entry. */
  static NewTopic newTopic(final Topic<?> topic) {
    final Map<String, String> configs = new HashMap<>();
    configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, topic.cleanupPolicy().configValue());
    // Every topic carries what the ingress accepts (BusLimits), above the broker's 1 MiB default.
    configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(BusLimits.MAX_RECORD_BYTES));
    topic
        .retention()
        .ifPresent(
            retention ->
                configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retention.toMillis())));
    return new NewTopic(topic.name(), Optional.of(topic.partitions()), Optional.empty())
        .configs(configs);
  }

  /** True if created by this call; false if someone else created it in the meantime. */
  private boolean createdNow(final String name, final KafkaFuture<Void> result) {
    try {
      result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        LOG.debug("topic {} was created concurrently", name);
        return false;
      }
      throw new IllegalStateException("cannot create topic " + name, e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out creating topic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating topic " + name, e);
    }
  }

  private void warnOnPartitionDrift(final List<? extends Topic<?>> existing) {
    if (existing.isEmpty()) {
      return;
    }
    final Map<String, Topic<?>> byName =
        existing.stream().collect(Collectors.toMap(Topic::name, Function.identity()));
    final Map<String, TopicDescription> descriptions =
        await(admin.describeTopics(byName.keySet()).allTopicNames());
    descriptions.forEach(
        (name, description) -> {
          final int expected = byName.get(name).partitions();
          if (description.partitions().size() != expected) {
            LOG.warn(
                "topic {} has {} partitions, the catalogue says {}; left as it is",
                name,
                description.partitions().size(),
                expected);
          }
        });
  }

  private <T> T await(final KafkaFuture<T> future) {
    return await(future, timeout);
  }

  /**
   * The result of an admin call, waited for at most {@code timeout}; its failure, a timeout or an
   * interrupt as an IllegalStateException.
   */
  public static <T> T await(final KafkaFuture<T> future, final Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka admin call failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka admin call timed out after " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during a Kafka admin call", e);
    }
  }
}
