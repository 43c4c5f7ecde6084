package dev.tiergate.ingress.limits;

import dev.tiergate.schemas.LimitCounts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What one ingress instance knows about one rate-limit subject (a key or a tenant): the requests it
 * admitted itself per second and how many are in flight here, the other instances' latest
 * published counts, and the tokens every instance's requests used (read from usage). Callers lock
 * the object around every use.
 */
final class LimitSubject {

  /** How long another instance's in-flight count stands without being republished. */
  static final long PEER_IN_FLIGHT_TTL_MS = 3_000;
  /** How often a subject with requests in flight here is republished though nothing changed. */
  static final long HEARTBEAT_MS = 1_000;

  private final String id;
  private final LimitWindow requests = new LimitWindow();
  private final LimitWindow tokens = new LimitWindow();
  private final Map<String, Peer> peers = new HashMap<>();
  private int inFlight;
  private boolean dirty;
  private long publishedAtMillis;
  private boolean retired;

  /** Another instance's latest counts of this subject. */
  private record Peer(long firstSecond, List<Integer> requests, int inFlight, long publishedAtMillis) {}

  LimitSubject(final String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  /** Requests admitted by every instance, per live second. */
  long[] requestWindow(final long nowSecond) {
    final long[] window = new long[LimitWindow.SECONDS];
    requests.addTo(window, nowSecond);
    final long oldest = LimitWindow.oldestLive(nowSecond);
    for (final Peer peer : peers.values()) {
      for (int i = 0; i < peer.requests().size(); i++) {
        final long second = peer.firstSecond() + i;
        if (second >= oldest && second <= nowSecond) {
          window[(int) (second - oldest)] += peer.requests().get(i);
        }
      }
    }
    return window;
  }

  /** Tokens used (input + output) per live second. */
  long[] tokenWindow(final long nowSecond) {
    final long[] window = new long[LimitWindow.SECONDS];
    tokens.addTo(window, nowSecond);
    return window;
  }

  /** Requests in flight here and, as last published, at the other instances. */
  int inFlight(final long nowMillis) {
    int total = inFlight;
    for (final Peer peer : peers.values()) {
      if (nowMillis - peer.publishedAtMillis() <= PEER_IN_FLIGHT_TTL_MS) {
        total += peer.inFlight();
      }
    }
    return total;
  }

  void admitted(final long nowSecond) {
    requests.add(nowSecond, 1);
    inFlight++;
    dirty = true;
  }

  void released() {
    inFlight--;
    dirty = true;
  }

  /** To be published at the next interval even without a new admission. */
  void markChanged() {
    dirty = true;
  }

  void addTokens(final long second, final long amount) {
    tokens.add(second, amount);
  }

  void peer(final LimitCounts counts) {
    final long publishedAt = counts.getPublishedAt().toEpochMilli();
    final Peer previous = peers.get(counts.getInstanceId());
    if (previous == null || previous.publishedAtMillis() <= publishedAt) {
      peers.put(
          counts.getInstanceId(),
          new Peer(counts.getFirstSecond(), List.copyOf(counts.getRequests()),
              counts.getInFlight(), publishedAt));
    }
  }

  /**
   * This instance's counts to publish: when they changed since the last time, or requests are in
   * flight here and the last publication is a heartbeat old; else null.
   */
  LimitCounts toPublish(final String instanceId, final long nowMillis) {
    final boolean heartbeat = inFlight > 0 && nowMillis - publishedAtMillis >= HEARTBEAT_MS;
    if (!dirty && !heartbeat) {
      return null;
    }
    dirty = false;
    publishedAtMillis = nowMillis;
    final long nowSecond = Math.floorDiv(nowMillis, 1000);
    final long[] own = new long[LimitWindow.SECONDS];
    requests.addTo(own, nowSecond);
    final List<Integer> perSecond = new ArrayList<>(own.length);
    for (final long count : own) {
      perSecond.add((int) Math.min(Integer.MAX_VALUE, count));
    }
    return LimitCounts.newBuilder()
        .setSubject(id)
        .setInstanceId(instanceId)
        .setFirstSecond(LimitWindow.oldestLive(nowSecond))
        .setRequests(perSecond)
        .setInFlight(Math.max(0, inFlight))
        .setPublishedAt(Instant.ofEpochMilli(nowMillis))
        .build();
  }

  /**
   * Marks the subject retired when nothing in it counts any more (so it can be dropped), and drops
   * peers that no longer count; true when retired.
   */
  boolean retireIfIdle(final long nowMillis) {
    final long nowSecond = Math.floorDiv(nowMillis, 1000);
    final long oldest = LimitWindow.oldestLive(nowSecond);
    for (final Iterator<Peer> it = peers.values().iterator(); it.hasNext(); ) {
      final Peer peer = it.next();
      final boolean countsLive = peer.firstSecond() + peer.requests().size() - 1 >= oldest;
      if (!countsLive && nowMillis - peer.publishedAtMillis() > PEER_IN_FLIGHT_TTL_MS) {
        it.remove();
      }
    }
    retired =
        inFlight == 0 && !dirty && peers.isEmpty() && requests.isEmpty(nowSecond)
            && tokens.isEmpty(nowSecond);
    return retired;
  }

  /** A retired subject is no longer in the table: whoever holds it must look it up again. */
  boolean retired() {
    return retired;
  }
}
