package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The provider's own count of calls per request id (OpenAI's {@code X-Client-Request-Id}, which the
 * dispatcher sends): how many calls started, ran to the end, or were aborted by the caller, and
 * when. Tests across processes read it over HTTP to check that a request reached the provider once
 * and that abandoned calls were really cut. Bounded: past {@link #MAX_TRACKED} ids, further ids are
 * only counted in {@link #untracked()}.
 */
public final class CallLedger {

  static final int MAX_TRACKED = 200_000;

  /** One request id's calls; times are null until the first such event. */
  public record Entry(
      String requestId, long started, long completed, long aborted, Instant firstStartedAt,
      Instant lastEndedAt) {}

  private final Map<String, Calls> byRequestId = new ConcurrentHashMap<>();
  private final AtomicLong untracked = new AtomicLong();

  /** A call began; returns its handle, which records exactly one end (completed or aborted). */
  Call started(final String requestId, final Instant now) {
    if (requestId == null || requestId.isBlank()) {
      return Call.UNTRACKED;
    }
    final Calls calls = byRequestId.size() < MAX_TRACKED
        ? byRequestId.computeIfAbsent(requestId, Calls::new)
        : byRequestId.get(requestId);
    if (calls == null) {
      untracked.incrementAndGet();
      return Call.UNTRACKED;
    }
    calls.start(now);
    return new Call(calls);
  }

  /** The calls for one request id. */
  public Optional<Entry> get(final String requestId) {
    return Optional.ofNullable(byRequestId.get(Objects.requireNonNull(requestId, "requestId")))
        .map(Calls::entry);
  }

  /** Every tracked request id's calls, by id. */
  public Map<String, Entry> snapshot() {
    final Map<String, Entry> copy = new TreeMap<>();
    byRequestId.forEach((id, calls) -> copy.put(id, calls.entry()));
    return copy;
  }

  /** Calls whose request id could not be tracked (none sent, or the ledger was full). */
  public long untracked() {
    return untracked.get();
  }

  void clear() {
    byRequestId.clear();
    untracked.set(0);
  }

  /** The ledger as JSON, for {@code GET /_sim/calls}. */
  String toJson(final ObjectMapper mapper) {
    final ObjectNode root = mapper.createObjectNode();
    final ObjectNode calls = root.putObject("calls");
    long started = 0;
    long completed = 0;
    long aborted = 0;
    for (final Entry entry : snapshot().values()) {
      final ObjectNode node = calls.putObject(entry.requestId());
      node.put("started", entry.started());
      node.put("completed", entry.completed());
      node.put("aborted", entry.aborted());
      node.put("firstStartedAt", String.valueOf(entry.firstStartedAt()));
      node.put("lastEndedAt", String.valueOf(entry.lastEndedAt()));
      started += entry.started();
      completed += entry.completed();
      aborted += entry.aborted();
    }
    root.putObject("totals").put("started", started).put("completed", completed)
        .put("aborted", aborted).put("untracked", untracked.get());
    return root.toString();
  }

  /** One call in flight; the first of {@link #completed} or {@link #aborted} counts. */
  static final class Call {
    static final Call UNTRACKED = new Call(null);
    private final Calls calls;
    private boolean ended;

    private Call(final Calls calls) {
      this.calls = calls;
    }

    synchronized void completed(final Instant now) {
      if (!ended && calls != null) {
        calls.end(now, true);
      }
      ended = true;
    }

    synchronized void aborted(final Instant now) {
      if (!ended && calls != null) {
        calls.end(now, false);
      }
      ended = true;
    }
  }

  private static final class Calls {
    private final String requestId;
    private long started;
    private long completed;
    private long aborted;
    private Instant firstStartedAt;
    private Instant lastEndedAt;

    Calls(final String requestId) {
      this.requestId = requestId;
    }

    synchronized void start(final Instant now) {
      started++;
      if (firstStartedAt == null) {
        firstStartedAt = now;
      }
    }

    synchronized void end(final Instant now, final boolean complete) {
      if (complete) {
        completed++;
      } else {
        aborted++;
      }
      lastEndedAt = now;
    }

    synchronized Entry entry() {
      return new Entry(requestId, started, completed, aborted, firstStartedAt, lastEndedAt);
    }
  }
}
