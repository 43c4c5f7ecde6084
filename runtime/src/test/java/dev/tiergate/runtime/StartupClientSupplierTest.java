package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tiergate.stack.FreePorts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

class StartupClientSupplierTest {

  private static final Map<String, Object> CONFIG = Map.of(
      ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + FreePorts.pick(),
      ConsumerConfig.GROUP_ID_CONFIG, "startup-test",
      ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
      ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);

  @Test
  void aStreamThreadsFirstPollWaitsUntilTheInternalTopicsAreSettled() throws Exception {
    final StartupClientSupplier clients = new StartupClientSupplier(Duration.ofMinutes(1), false);
    try (Consumer<byte[], byte[]> consumer = clients.getConsumer(CONFIG)) {
      final Thread[] poller = new Thread[1];
      final CompletableFuture<Void> polled = CompletableFuture.runAsync(() -> {
        poller[0] = Thread.currentThread();
        pollOnce(consumer);
      });

      await().atMost(Duration.ofSeconds(10)).until(() -> poller[0] != null
          && poller[0].getState() == Thread.State.TIMED_WAITING);
      assertThat(polled).as("held before its join").isNotDone();

      clients.internalTopicsSettled();
      polled.get(10, TimeUnit.SECONDS);
      pollOnce(consumer);
    }
  }

  @Test
  void aStreamThreadJoinsAnywayOnceTheWaitIsOver() throws Exception {
    final StartupClientSupplier clients = new StartupClientSupplier(Duration.ofMillis(1), false);
    try (Consumer<byte[], byte[]> consumer = clients.getConsumer(CONFIG)) {
      CompletableFuture.runAsync(() -> pollOnce(consumer)).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void restoreConsumersWaitBrieflyForFetchesUnlessStandbysKeepThemPolling() {
    final String wait = ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG;
    assertThat(new StartupClientSupplier(Duration.ZERO, false).restoreConsumerConfig(CONFIG))
        .containsEntry(wait, StartupClientSupplier.RESTORE_FETCH_WAIT_MS);
    assertThat(new StartupClientSupplier(Duration.ZERO, true).restoreConsumerConfig(CONFIG))
        .isEqualTo(CONFIG);
    assertThat(StartupClientSupplier.withRestoreFetchWait(Map.of(wait, "5")))
        .as("a shorter configured wait is kept").containsEntry(wait, 5);
  }

  /**
   * Streams polls its restore consumer for {@code poll.ms}; the broker here never answers, so an
   * uncapped poll would take the whole minute asked for.
   */
  @Test
  void aRestoreConsumerPollsBrieflyWhateverStreamsAsksUnlessStandbysKeepItPolling()
      throws Exception {
    final TopicPartition changelog = new TopicPartition("app-store-changelog", 0);
    try (Consumer<byte[], byte[]> restore =
        new StartupClientSupplier(Duration.ZERO, false).getRestoreConsumer(CONFIG)) {
      restore.assign(List.of(changelog));
      CompletableFuture.runAsync(() -> restore.poll(Duration.ofMinutes(1)))
          .get(10, TimeUnit.SECONDS);
    }
    try (Consumer<byte[], byte[]> standby =
        new StartupClientSupplier(Duration.ZERO, true).getRestoreConsumer(CONFIG)) {
      standby.assign(List.of(changelog));
      final CompletableFuture<?> polled =
          CompletableFuture.runAsync(() -> standby.poll(Duration.ofSeconds(3)));
      Thread.sleep(1_000);
      assertThat(polled).as("with standbys the poll Streams asks for").isNotDone();
      polled.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSteadyGlobalTableWaitsLikeATailUnlessAWaitIsConfigured() {
    final String wait = ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG;
    assertThat(StartupClientSupplier.steadyGlobalConfig(CONFIG))
        .containsEntry(wait, (int) PartitionTail.IDLE_FETCH_WAIT.toMillis());
    assertThat(StartupClientSupplier.steadyGlobalConfig(Map.of(wait, "200")))
        .as("a configured wait is kept").containsEntry(wait, "200");
  }

  /** A consumer with nothing assigned refuses to poll; here only the wait before it matters. */
  private static void pollOnce(final Consumer<byte[], byte[]> consumer) {
    try {
      consumer.poll(Duration.ZERO);
    } catch (IllegalStateException notSubscribed) {
      assertThat(notSubscribed).hasMessageContaining("not subscribed");
    }
  }
}
