package dev.tiergate.ingress.responses;

import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.runtime.BoundedMap;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.StoredResponse;
import dev.tiergate.schemas.TiergateHeaders;
import dev.tiergate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The stored responses of the Responses API ({@code store: true}), on the compacted topic {@code
 * tiergate.stored-responses} keyed by response id, read back through a {@link LiveTable}. A tenant
 * only ever sees its own: another tenant's id is answered exactly like an unknown one.
 *
 * <p>Read-your-writes: what this instance stores or deletes is kept in a small local map for a
 * while, so a {@code previous_response_id} sent right after the reply finds it here before the
 * table has read it back; an id another instance stored is waited for (briefly) in the table.
 */
public final class ResponseStore implements AutoCloseable {

  /** A conversation so far: its messages in order, and the session it was routed in. */
  public record Conversation(List<Message> messages, String sessionId) {
    public static final Conversation EMPTY = new Conversation(List.of(), null);
  }

  /** How long this instance trusts its own writes over the table. */
  static final Duration RECENT_TTL = Duration.ofMinutes(2);
  static final int RECENT_CAPACITY = 10_000;
  /** How long a lookup waits for an id this instance has not seen (another instance's write). */
  public static final Duration DEFAULT_TABLE_WAIT = Duration.ofSeconds(1);
  private static final Duration RECHECK = Duration.ofMillis(50);
  /** Longest chain of turns followed; a longer one is refused rather than walked for ever. */
  static final int MAX_TURNS = 10_000;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(ResponseStore.class);

  /** A write of this instance: the stored turn, or null for a delete. */
  private record Recent(StoredResponse response, Instant at) {}

  private final LiveTable<StoredResponse> table;
  private final Producer<String, StoredResponse> producer;
  private final Clock clock;
  private final Duration tableWait;
  private final Map<String, Recent> recent = BoundedMap.insertionOrdered(RECENT_CAPACITY);

  /**
   * @param producer writes to the stored-responses topic; null keeps responses on this instance
   *     only (a service built without Kafka)
   */
  public ResponseStore(
      final LiveTable<StoredResponse> table,
      final Producer<String, StoredResponse> producer,
      final Clock clock,
      final Duration tableWait) {
    this.table = Objects.requireNonNull(table, "table");
    this.producer = producer;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tableWait = Objects.requireNonNull(tableWait, "tableWait");
  }

  /** Kept on this instance only, with no table behind it. */
  public static ResponseStore local() {
    return new ResponseStore(
        LiveTable.fixed(Topics.STORED_RESPONSES.name(), Map.of()), null, Clock.systemUTC(),
        Duration.ZERO);
  }

  public void start() {
    table.start();
  }

  public boolean isAlive() {
    return table.isAlive();
  }

  /** Whether the table has read every response stored before this instance started. */
  public boolean isCaughtUp() {
    return table.isCaughtUp();
  }

  public boolean awaitCaughtUp(final Duration timeout) throws InterruptedException {
    return table.awaitCaughtUp(timeout);
  }

  /** The tenant's stored response; empty (after a short wait) when unknown or another's. */
  Mono<StoredResponse> find(final String tenant, final String responseId) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(responseId, "responseId");
    final long lookups = 1 + tableWait.toMillis() / RECHECK.toMillis();
    return Flux.interval(Duration.ZERO, RECHECK)
        .take(lookups)
        .concatMap(attempt -> Mono.justOrEmpty(lookup(tenant, responseId)))
        .next();
  }

  /**
   * The conversation up to and including the tenant's response: every earlier turn's input and
   * output, oldest first. Fails with 404 when the id is unknown or another tenant's.
   */
  Mono<Conversation> conversation(final String tenant, final String responseId) {
    return find(tenant, responseId)
        .switchIfEmpty(Mono.error(() -> previousNotFound(responseId)))
        .map(last -> conversationEndingWith(tenant, last));
  }

  private Conversation conversationEndingWith(final String tenant, final StoredResponse last) {
    final Deque<StoredResponse> turns = new ArrayDeque<>();
    StoredResponse turn = last;
    while (turn != null) {
      if (turns.size() >= MAX_TURNS) {
        throw GatewayException.invalidRequest(
            "previous_response_id", "The conversation is longer than " + MAX_TURNS + " turns.");
      }
      turns.addFirst(turn);
      final String previous = turn.getPreviousResponseId();
      turn = previous == null ? null : lookup(tenant, previous).orElse(null);
      if (previous != null && turn == null) {
        throw new GatewayException(
            404, "invalid_request_error", null, "previous_response_id",
            "Response '" + last.getResponseId() + "' continues '" + previous
                + "', which no longer exists.");
      }
    }
    final List<Message> messages = new ArrayList<>();
    for (final StoredResponse stored : turns) {
      messages.addAll(stored.getInput());
      messages.addAll(stored.getOutput());
    }
    return new Conversation(List.copyOf(messages), last.getSessionId());
  }

  /** Stores one turn: kept here at once, published in the background; never throws. */
  void save(final StoredResponse response) {
    remember(response.getResponseId(), response);
    if (producer == null) {
      return;
    }
    publish(response.getResponseId(), response)
        .subscribe(
            ignored -> {},
            error -> LOG.warn("could not store response {}: {}", response.getResponseId(),
                error.toString()));
  }

  /**
   * Deletes the tenant's response with a tombstone; false when it is unknown or another's.
   * Completes once the broker has the tombstone.
   */
  Mono<Boolean> delete(final String tenant, final String responseId) {
    return find(tenant, responseId)
        .flatMap(found -> publish(responseId, null).thenReturn(true))
        .doOnNext(deleted -> remember(responseId, null))
        .defaultIfEmpty(false);
  }

  private Mono<Void> publish(final String responseId, final StoredResponse value) {
    if (producer == null) {
      return Mono.empty();
    }
    final ProducerRecord<String, StoredResponse> record =
        new ProducerRecord<>(Topics.STORED_RESPONSES.name(), responseId, value);
    TiergateHeaders.put(record.headers(), TiergateHeaders.CORRELATION_ID, responseId);
    // send() can block on metadata: never on the event loop.
    return Mono.<Void>create(
            sink ->
                producer.send(
                    record,
                    (metadata, error) -> {
                      if (error == null) {
                        sink.success();
                      } else {
                        sink.error(error);
                      }
                    }))
        .subscribeOn(Schedulers.boundedElastic())
        .onErrorMap(error -> !(error instanceof GatewayException),
            error -> GatewayException.publishFailed());
  }

  private void remember(final String responseId, final StoredResponse response) {
    synchronized (recent) {
      recent.put(responseId, new Recent(response, clock.instant()));
    }
  }

  private Optional<StoredResponse> lookup(final String tenant, final String responseId) {
    final Recent mine;
    synchronized (recent) {
      mine = recent.get(responseId);
    }
    final boolean fresh = mine != null && mine.at().plus(RECENT_TTL).isAfter(clock.instant());
    final Optional<StoredResponse> found =
        fresh ? Optional.ofNullable(mine.response()) : table.get(responseId);
    return found.filter(stored -> stored.getTenant().equals(tenant));
  }

  /** OpenAI's answer for an id it does not have (or the caller may not see). */
  static GatewayException notFound(final String responseId) {
    return new GatewayException(
        404, "invalid_request_error", null, null,
        "Response with id '" + responseId + "' not found.");
  }

  /** OpenAI's answer for a {@code previous_response_id} it does not have. */
  static GatewayException previousNotFound(final String responseId) {
    return new GatewayException(
        404, "invalid_request_error", null, "previous_response_id",
        "Previous response with id '" + responseId + "' not found.");
  }

  @Override
  public void close() {
    try {
      if (producer != null) {
        producer.close(CLOSE_TIMEOUT);
      }
    } finally {
      table.close();
    }
  }
}
