package dev.tiergate.ingress.reply;

import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.runtime.BoundedMap;
import dev.tiergate.runtime.PartitionTail;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The answers of requests sent with an {@code Idempotency-Key}, read back from {@code
 * tiergate.responses} (the record of truth; no other store): from {@value #WINDOW_HOURS} hours ago
 * at start, then as they arrive. Keeps only idempotent correlation ids, at most {@code capacity}
 * answers (the oldest go first) and none older than the window, so a repeat is answered without a
 * second provider call. Every ingress instance reads every partition, with no consumer group (a
 * {@link PartitionTail}).
 */
public final class IdempotentAnswers implements AutoCloseable {

  static final int WINDOW_HOURS = 24;
  static final Duration WINDOW = Duration.ofHours(WINDOW_HOURS);
  public static final int DEFAULT_CAPACITY = 10_000;

  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final PartitionTail<ChatResponse> tail;
  private final Clock clock;
  private final Map<String, Stored> answers;
  private final ConcurrentMap<String, Sinks.One<ChatResponse>> waiters = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile java.util.function.Consumer<ChatResponse> listener = response -> {};
  private boolean started;

  /** Holds no answers and reads nothing (a service built without the topic). */
  public static IdempotentAnswers none() {
    return new IdempotentAnswers(null, 1, Clock.systemUTC());
  }

  /**
   * @param consumer of {@code tiergate.responses}, used and closed only by this class; null for
   *     {@link #none}
   */
  public IdempotentAnswers(final Consumer<String, ChatResponse> consumer, final int capacity, final Clock clock) {
    this.answers = BoundedMap.insertionOrdered(capacity);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tail =
        consumer == null
            ? null
            : PartitionTail.builder(
                    consumer, Topics.RESPONSES.name(), PartitionTail.Start.lookingBack(clock, WINDOW))
                .threadName("tiergate-idempotent-answers")
                .pollTimeout(POLL_TIMEOUT)
                .onRecord(record -> {
                  // The registry decodes whatever schema a record was written with: check the type.
                  final Object value = record.value();
                  if (value instanceof ChatResponse response) {
                    record(response);
                  }
                })
                .build();
  }

  /**
   * Also hands every idempotent answer to this listener (the reply correlator): a repeat that was
   * published again while its first attempt's answer was already on the topic still gets it,
   * though the dispatcher skips the repeat.
   */
  public void onAnswer(final java.util.function.Consumer<ChatResponse> newListener) {
    this.listener = Objects.requireNonNull(newListener, "listener");
  }

  public synchronized void start() {
    if (started || closed.get() || tail == null) {
      return;
    }
    tail.start();
    started = true;
  }

  /** The stored answer of this correlation id, if any within the window. */
  public synchronized Optional<ChatResponse> find(final String correlationId) {
    final Stored stored = answers.get(correlationId);
    if (stored == null || stored.at().isBefore(clock.instant().minus(WINDOW))) {
      return Optional.empty();
    }
    return Optional.of(stored.response());
  }

  /**
   * The answer of a request in flight elsewhere on this instance: completes when it arrives
   * (or at once when it is stored already).
   */
  public Mono<ChatResponse> await(final String correlationId) {
    return Mono.defer(() -> {
      final Sinks.One<ChatResponse> sink =
          waiters.computeIfAbsent(correlationId, id -> Sinks.one());
      find(correlationId).ifPresent(sink::tryEmitValue);
      return sink.asMono().doFinally(signal -> {
        if (sink.currentSubscriberCount() == 0) {
          waiters.remove(correlationId, sink);
        }
      });
    });
  }

  /** Keeps an idempotent request's answer; others are ignored. */
  void record(final ChatResponse response) {
    final String id = response.getCorrelationId();
    if (!IdempotencyKey.isIdempotent(id)) {
      return;
    }
    synchronized (this) {
      answers.put(id, new Stored(response, response.getCreatedAt()));
    }
    final Sinks.One<ChatResponse> waiting = waiters.remove(id);
    if (waiting != null) {
      waiting.tryEmitValue(response);
    }
    listener.accept(response);
  }

  /** Whether an answer ended with nobody served: the next attempt may serve the request. */
  public static boolean abandoned(final ChatResponse response) {
    return response.getError() != null
        && (CancelPublisher.DEADLINE_EXCEEDED.equals(response.getError().getType())
            || CancelPublisher.CLIENT_DISCONNECTED.equals(response.getError().getType()));
  }

  public boolean isAlive() {
    return tail == null ? !closed.get() : !started || tail.isAlive();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    waiters.values().forEach(sink -> sink.tryEmitError(GatewayException.shuttingDown()));
    if (tail != null) {
      tail.close();
    }
  }

  private record Stored(ChatResponse response, Instant at) {}
}
