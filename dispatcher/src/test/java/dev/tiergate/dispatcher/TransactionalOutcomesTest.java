package dev.tiergate.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A broker that is away for a while makes commits and aborts time out; that is no reason to stop. */
class TransactionalOutcomesTest {

  private static final TopicPartition ROUTED = new TopicPartition("tiergate.routed", 0);
  private static final ProducerRecord<String, byte[]> RESPONSE =
      new ProducerRecord<>("tiergate.responses", "req_1", new byte[] {1});

  @Test
  void anAbortThatTimesOutWhileTheBrokerIsAwayIsCalledAgainNotFatal() {
    final AtomicInteger abortTimeouts = new AtomicInteger(3);
    final MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
          @Override
          public void abortTransaction() {
            if (abortTimeouts.getAndDecrement() > 0) {
              throw new TimeoutException("awaiting EndTxn(abort)");
            }
            super.abortTransaction();
          }
        };
    producer.sendOffsetsToTransactionException = new TimeoutException("coordinator away");

    try (TransactionalOutcomes outcomes =
        new TransactionalOutcomes(producer, new Outbox(), DispatcherFault.NONE)) {
      assertThatThrownBy(() -> outcomes.commit(
              List.of(RESPONSE), Map.of(ROUTED, new OffsetAndMetadata(1)),
              new ConsumerGroupMetadata("tiergate-dispatcher")))
          .isInstanceOf(TransactionalOutcomes.RetriableCommitException.class);
      assertThat(producer.transactionAborted()).isTrue();

      producer.sendOffsetsToTransactionException = null;
      outcomes.commit(List.of(RESPONSE), Map.of(ROUTED, new OffsetAndMetadata(1)),
          new ConsumerGroupMetadata("tiergate-dispatcher"));
      assertThat(producer.transactionCommitted()).isTrue();
    }
  }
}
