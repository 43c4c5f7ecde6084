package dev.tiergate.bench.loopback;

import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.ingress.IngressService;
import dev.tiergate.ingress.auth.VirtualKeys;
import dev.tiergate.ingress.limits.LimitSettings;
import dev.tiergate.ingress.limits.TenantLimits;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.time.Duration;

/** The real {@link IngressService}, its Kafka clients replaced by the in-memory loopback. */
public final class LoopbackIngress {

  private LoopbackIngress() {}

  /** Builds and starts it on a free loopback port, with the demo key only (no rate limits). */
  public static IngressService start() {
    return start(VirtualKeys.DEFAULT_SPEC, TenantLimits.NONE);
  }

  /** Builds and starts it with these bootstrap keys and tenant limits. */
  public static IngressService start(final String keys, final TenantLimits tenantLimits) {
    final LoopbackConsumer<ChatResponse> responses = new LoopbackConsumer<>(Topics.RESPONSES.name());
    final LoopbackConsumer<ChatChunk> chunks = new LoopbackConsumer<>(Topics.RESPONSE_CHUNKS.name());
    final LoopbackProducer producer = new LoopbackProducer(responses, SerdeFactory.schemaless());
    // Never contacted: the clients are in memory.
    final KafkaSettings unused = KafkaSettings.of("127.0.0.1:9", "http://127.0.0.1:9");
    final IngressConfig config = IngressConfig.defaults(unused)
        .withPort(0)
        .withReplyTimeout(Duration.ofSeconds(30))
        .withVirtualKeys(VirtualKeys.parse(keys))
        .withLimits(new LimitSettings(tenantLimits, LimitSettings.DEFAULT_SYNC_INTERVAL));
    final IngressService service = new IngressService(config, producer, responses, chunks);
    service.start();
    return service;
  }
}
