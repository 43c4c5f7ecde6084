package dev.tiergate.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * A MockConsumer whose poll waits for a record (or a wakeup) up to its timeout, like a real
 * consumer, so a reader thread does not spin on an empty mock. Knows its topic's partitions, which
 * all start empty. Shared with the services' tests (this module's test jar).
 */
public class PacedMockConsumer<V> extends MockConsumer<String, V> {

  private final String topic;
  private final int partitions;
  private final Semaphore arrivals = new Semaphore(0);
  private final Map<Integer, Long> nextOffsets = new HashMap<>();

  public PacedMockConsumer(final String topic, final int partitions) {
    super("latest");
    this.topic = topic;
    this.partitions = partitions;
    final Node node = new Node(0, "localhost", 9092);
    final Map<TopicPartition, Long> ends = new HashMap<>();
    final List<PartitionInfo> infos =
        java.util.stream.IntStream.range(0, partitions)
            .mapToObj(p -> new PartitionInfo(topic, p, node, new Node[0], new Node[0]))
            .toList();
    updatePartitions(topic, infos);
    infos.forEach(info -> ends.put(new TopicPartition(topic, info.partition()), 0L));
    updateEndOffsets(ends);
  }

  /** Appends a value to the partition its key would land on (any stable choice will do). */
  public synchronized void feed(final String key, final V value) {
    final int partition = Math.floorMod(key.hashCode(), partitions);
    final long offset = nextOffsets.merge(partition, 1L, Long::sum) - 1;
    addRecord(new ConsumerRecord<>(topic, partition, offset, key, value));
  }

  @Override
  public synchronized void addRecord(final ConsumerRecord<String, V> record) {
    super.addRecord(record);
    arrivals.release();
  }

  @Override
  public ConsumerRecords<String, V> poll(final Duration timeout) {
    try {
      arrivals.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return super.poll(timeout);
  }

  /** An exception arrives like a record would: it ends the poll that waits. */
  @Override
  public synchronized void setPollException(final KafkaException exception) {
    super.setPollException(exception);
    arrivals.release();
  }

  @Override
  public synchronized void wakeup() {
    super.wakeup();
    arrivals.release();
  }
}
