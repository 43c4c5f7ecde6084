package dev.tiergate.dispatcher;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Whether this instance's view of answered requests ({@link ProducedResponses}, fed by a
 * read_committed tail of {@code tiergate.responses}) has read everything written up to a point. A
 * newly assigned partition is served only once the view has read past where the topic ended after
 * the assignment: by then the previous owner's last transaction is decided (a read_committed
 * reader cannot pass an open one) and, if committed, read.
 */
interface ResponsesCatchUp {

  /** Always caught up: for a worker whose view is complete by construction (unit tests). */
  ResponsesCatchUp NONE =
      new ResponsesCatchUp() {
        @Override
        public Map<TopicPartition, Long> end() {
          return Map.of();
        }

        @Override
        public boolean reached(final Map<TopicPartition, Long> end) {
          return true;
        }
      };

  /**
   * Where every partition of {@code tiergate.responses} ends now, open transactions included (the
   * high watermark). May block briefly; throws a {@code KafkaException} when it cannot tell.
   */
  Map<TopicPartition, Long> end();

  /** True once the view has read every partition up to {@code end}. */
  boolean reached(Map<TopicPartition, Long> end);
}
