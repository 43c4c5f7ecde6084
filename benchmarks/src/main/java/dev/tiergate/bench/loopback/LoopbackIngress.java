package dev.tiergate.bench.loopback;

import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.ingress.IngressService;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.time.Duration;

/** The real {@link IngressService}, its Kafka clients replaced by the in-memory loopback. */
public final class LoopbackIngress {

  private LoopbackIngress() {}

  /** Builds and starts it on a free loopback port. */
  public static IngressService start() {
    final LoopbackConsumer<ChatResponse> responses = new LoopbackConsumer<>(Topics.RESPONSES.name());
    final LoopbackConsumer<ChatChunk> chunks = new LoopbackConsumer<>(Topics.RESPONSE_CHUNKS.name());
    final LoopbackProducer producer = new LoopbackProducer(responses, SerdeFactory.schemaless());
    // Never contacted: the clients are in memory.
    final KafkaSettings unused = KafkaSettings.of("127.0.0.1:9", "http://127.0.0.1:9");
    final IngressConfig config = IngressConfig.defaults(unused)
        .withPort(0)
        .withReplyTimeout(Duration.ofSeconds(30));
    final IngressService service = new IngressService(config, producer, responses, chunks);
    service.start();
    return service;
  }
}
