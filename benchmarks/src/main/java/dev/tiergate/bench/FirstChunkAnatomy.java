package dev.tiergate.bench;

import dev.tiergate.bench.load.StreamTimeline;
import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.Topics;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Where a streamed reply's first chunk spends its time, from the timestamps the events carry, a
 * reader of the chunk topic set up like the ingress's, and the generator's own clock (all wall
 * clock of this machine): intended send → ingress accepted ({@code ChatRequest.receivedAt}) →
 * routed ({@code routedAt}) → first chunk produced (the chunk record's timestamp, set when the
 * dispatcher sends it; the provider's time to its first delta, {@code providerMicros}, is inside)
 * → the chunk read by a group-less read_committed tail as the ingress's is → first byte of the
 * body read by the client → first content event read by the client. Only streams the generator
 * ended while switched on (the measured Tiergate phases) count. The tail is this harness's own, not
 * the ingress's: it waits on the same fetches, so it reads each chunk when the ingress can.
 */
final class FirstChunkAnatomy implements AutoCloseable {

  private static final long HIGHEST_MICROS = 600_000_000L;
  private static final int MAX_STREAMS = 1_000_000;

  /** Wall-clock µs of a {@link System#nanoTime} reading: one pair of clocks read once. */
  private final long epochMicrosAtZero;
  private final Map<String, ClientTimes> client = new ConcurrentHashMap<>();
  private final Map<String, Long> tailRead = new ConcurrentHashMap<>();
  private final PartitionTail<ChatChunk> tail;
  private volatile boolean on;

  private record ClientTimes(long intended, long firstByte, long firstContent) {}

  /** Starts the chunk reader at the end of the topic: call before the streams to time. */
  FirstChunkAnatomy(final KafkaSettings kafka) {
    Objects.requireNonNull(kafka, "kafka");
    final long nanos = System.nanoTime();
    this.epochMicrosAtZero = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now()) - nanos / 1_000;
    final KafkaConsumer<String, ChatChunk> consumer = new KafkaConsumer<>(
        PartitionTail.consumerProperties(kafka, Map.of(
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.CLIENT_ID_CONFIG, "bench-chunk-reader")),
        Topics.RESPONSE_CHUNKS.keySerde().deserializer(),
        Topics.RESPONSE_CHUNKS.valueSerde(kafka.serdes()).deserializer());
    this.tail = PartitionTail.builder(consumer, Topics.RESPONSE_CHUNKS.name(), PartitionTail.Start.end())
        .threadName("bench-chunk-reader")
        .onRecord(this::read)
        .build();
    tail.start();
  }

  private void read(final ConsumerRecord<String, ChatChunk> record) {
    if (record.value() != null && record.value().getSequence() == 0 && tailRead.size() < MAX_STREAMS) {
      tailRead.putIfAbsent(record.value().getCorrelationId(), epochMicros(System.nanoTime()));
    }
  }

  void on() {
    on = true;
  }

  void off() {
    on = false;
  }

  /** Notes a stream that ended while on; one without a request id is not Tiergate's. */
  void streamed(final String requestId, final StreamTimeline timeline) {
    if (on && requestId != null && timeline.complete() && client.size() < MAX_STREAMS) {
      client.put(requestId, new ClientTimes(epochMicros(timeline.intendedAt()),
          epochMicros(timeline.firstByteAt()), epochMicros(timeline.firstContentAt())));
    }
  }

  private long epochMicros(final long nanoTime) {
    return epochMicrosAtZero + nanoTime / 1_000;
  }

  /** Reads every routed request and chunk of the (fresh) stack and pairs them with the timings. */
  List<String> markdown(final KafkaSettings kafka) {
    final Map<String, RoutedRequest> routed = new HashMap<>();
    HopBreakdown.readAll(kafka, Topics.ROUTED,
        record -> routed.put(record.value().getRequest().getCorrelationId(), record.value()));
    final Hops hops = new Hops();
    HopBreakdown.readAll(kafka, Topics.RESPONSE_CHUNKS, record -> {
      final ChatChunk chunk = record.value();
      final ClientTimes times = client.get(chunk.getCorrelationId());
      final RoutedRequest request = routed.get(chunk.getCorrelationId());
      final Long readByTail = tailRead.get(chunk.getCorrelationId());
      if (chunk.getSequence() == 0 && times != null && request != null && readByTail != null) {
        hops.add(request, record.timestamp() * 1_000, chunk.getProviderMicros(), readByTail, times);
      }
    });
    return hops.markdown();
  }

  @Override
  public void close() {
    tail.close();
  }

  /** The hops of every paired stream, µs. */
  private static final class Hops {
    private final HopTable.Spans toIngress = new HopTable.Spans(HIGHEST_MICROS);
    private final HopTable.Spans toRouted = new HopTable.Spans(HIGHEST_MICROS);
    private final HopTable.Spans toProduced = new HopTable.Spans(HIGHEST_MICROS);
    private final HopTable.Spans provider = new HopTable.Spans(HIGHEST_MICROS);
    private final HopTable.Spans toTail = new HopTable.Spans(HIGHEST_MICROS);
    private final HopTable.Spans toFirstByte = new HopTable.Spans(HIGHEST_MICROS);
    private final HopTable.Spans toContent = new HopTable.Spans(HIGHEST_MICROS);
    private final HopTable.Spans whole = new HopTable.Spans(HIGHEST_MICROS);

    void add(final RoutedRequest request, final long produced, final Long providerMicros,
        final long readByTail, final ClientTimes times) {
      final long accepted = request.getRequest().getReceivedAt().toEpochMilli() * 1_000;
      final long routedAt = request.getDecision().getRoutedAt().toEpochMilli() * 1_000;
      toIngress.record(accepted - times.intended());
      toRouted.record(routedAt - accepted);
      toProduced.record(produced - routedAt);
      provider.record(providerMicros == null ? 0 : providerMicros);
      toTail.record(readByTail - produced);
      toFirstByte.record(times.firstByte() - readByTail);
      toContent.record(times.firstContent() - times.firstByte());
      whole.record(times.firstContent() - times.intended());
    }

    List<String> markdown() {
      return new HopTable("hop of the first chunk", "streams", HopTable.Unit.MICROS)
          .row("intended send → ingress accepted (generator, HTTP, ingress)", toIngress)
          .row("ingress accepted → routed (produce, router)", toRouted)
          .row("routed → first chunk produced (dispatcher poll, provider call, publish)",
              toProduced)
          .row("(inside the last: the provider's time to its first delta, `providerMicros`)",
              provider)
          .row("first chunk produced → read by a read_committed tail like the ingress's", toTail)
          .row("read by that tail → first byte read by the client (ingress, SSE write, client)",
              toFirstByte)
          .row("first byte → first content event read by the client", toContent)
          .row("**intended send → first content read by the client (TTFB)**", whole)
          .markdown();
    }
  }
}
