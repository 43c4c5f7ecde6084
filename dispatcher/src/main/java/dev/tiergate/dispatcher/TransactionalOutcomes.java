package dev.tiergate.dispatcher;

import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes finished requests to Kafka in one transaction each round: their responses and usage (and
 * dead letters) together with the consumed offsets ({@code sendOffsetsToTransaction} with the
 * consumer's group metadata, so a member that lost its partitions cannot commit for them). Either
 * all of it is visible to {@code read_committed} readers or none of it, so a response is never
 * without its usage and an offset never moves past a request whose outcome is not written. Used by
 * one thread at a time: the worker's committer, one transaction after another.
 */
final class TransactionalOutcomes implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TransactionalOutcomes.class);
  /**
   * How many times a commit or abort that timed out (each waits {@code max.block.ms}, 10 s) is
   * called again: the producer allows it, and a broker that is restarting or failing over needs
   * that long; giving up sooner would stop the worker for good over an outage it outlives.
   */
  static final int TIMEOUT_ATTEMPTS = 30;

  private final Producer<String, byte[]> producer;
  private final Outbox outbox;
  private final DispatcherFault fault;
  private boolean initialized;

  /**
   * @param producer a transactional producer ({@code transactional.id} set), owned by this object
   * @param outbox where the requests' publishers staged their records
   */
  TransactionalOutcomes(
      final Producer<String, byte[]> producer, final Outbox outbox, final DispatcherFault fault) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.fault = Objects.requireNonNull(fault, "fault");
  }

  Outbox outbox() {
    return outbox;
  }

  /**
   * Registers the transactional id; a previous producer with the same id (this instance before a
   * crash) is fenced and its open transaction aborted, so its half-written outcomes never show.
   */
  void init() {
    if (!initialized) {
      producer.initTransactions();
      initialized = true;
    }
  }

  /**
   * One transaction with the records and offsets; returns once it is committed.
   *
   * @throws RetriableCommitException the transaction was aborted; the same outcomes may be
   *     committed again
   * @throws FatalCommitException the producer cannot go on (fenced by a newer instance with the
   *     same transactional id, or broken); nothing of this transaction is visible
   */
  void commit(
      final List<ProducerRecord<String, byte[]>> records,
      final Map<TopicPartition, OffsetAndMetadata> offsets,
      final ConsumerGroupMetadata group) {
    init();
    try {
      producer.beginTransaction();
      for (final ProducerRecord<String, byte[]> record : records) {
        producer.send(record);
        if (fault == DispatcherFault.HALT_AFTER_RESPONSE && Topics.RESPONSES.name().equals(record.topic())) {
          halt(record);
        }
      }
      if (!offsets.isEmpty()) {
        producer.sendOffsetsToTransaction(offsets, group);
      }
      commitWithRetry();
    } catch (ProducerFencedException
        | OutOfOrderSequenceException
        | AuthorizationException
        | UnsupportedVersionException e) {
      throw new FatalCommitException(e);
    } catch (KafkaException e) {
      abort(e);
      throw new RetriableCommitException(e);
    }
  }

  /** A commit that timed out may be called again (the producer says so); anything else aborts. */
  private void commitWithRetry() {
    retryOnTimeout(producer::commitTransaction, "commit");
  }

  /** An abort that timed out (the broker is away) is called again; anything else is fatal. */
  private void abort(final KafkaException cause) {
    log.warn("aborting a dispatcher transaction: {}", cause.toString());
    try {
      retryOnTimeout(producer::abortTransaction, "abort");
    } catch (KafkaException e) {
      e.addSuppressed(cause);
      throw new FatalCommitException(e);
    }
  }

  private static void retryOnTimeout(final Runnable call, final String what) {
    for (int attempt = 1; ; attempt++) {
      try {
        call.run();
        return;
      } catch (TimeoutException e) {
        if (attempt >= TIMEOUT_ATTEMPTS) {
          throw e;
        }
        log.warn("transaction {} timed out (attempt {} of {}), retrying", what, attempt,
            TIMEOUT_ATTEMPTS);
      }
    }
  }

  /** Test-only fault: the response is on the broker, its usage and offset are not. */
  private void halt(final ProducerRecord<String, byte[]> response) {
    producer.flush();
    log.warn("{}=halt-after-response: halting after writing the response of {}",
        DispatcherFault.ENV, response.key());
    Runtime.getRuntime().halt(DispatcherFault.HALT_STATUS);
  }

  @Override
  public void close() {
    try {
      producer.close(Duration.ofSeconds(10));
    } catch (KafkaException e) {
      log.warn("transactional producer close failed: {}", e.toString());
    }
  }

  /** The transaction was aborted; its outcomes can be committed again. */
  static final class RetriableCommitException extends KafkaException {
    private static final long serialVersionUID = 1L;

    RetriableCommitException(final Throwable cause) {
      super("dispatcher transaction aborted: " + cause.getMessage(), cause);
    }
  }

  /** The producer cannot commit any more; the worker must stop. */
  static final class FatalCommitException extends KafkaException {
    private static final long serialVersionUID = 1L;

    FatalCommitException(final Throwable cause) {
      super("dispatcher transactions cannot go on: " + cause.getMessage(), cause);
    }
  }
}
