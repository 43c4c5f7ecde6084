package dev.tiergate.accounting.batch;

import dev.tiergate.runtime.NetworkFailures;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips a record that cannot be decoded (it is not a batch answer this stream could count), but
 * fails when the registry cannot be reached: that is not the record's fault, and skipping it would
 * leave a batch short of one item forever. The failed thread is replaced and the record retried.
 */
public final class SkipUndecodableHandler implements DeserializationExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(SkipUndecodableHandler.class);

  @Override
  public Response handleError(
      final ErrorHandlerContext context,
      final ConsumerRecord<byte[], byte[]> record,
      final Exception exception) {
    if (NetworkFailures.isNetwork(exception)) {
      LOG.warn("registry unreachable while decoding {}-{}@{}; retrying",
          record.topic(), record.partition(), record.offset());
      return Response.fail();
    }
    LOG.warn("skipping undecodable record {}-{}@{}: {}",
        record.topic(), record.partition(), record.offset(), exception.getMessage());
    return Response.resume();
  }

  @Override
  public void configure(final Map<String, ?> configs) {
    // No settings.
  }
}
