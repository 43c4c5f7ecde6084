package dev.tiergate.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The timing of one streamed Chat Completions reply, measured from the request's intended send
 * time: when the first event carrying content (text or a tool call) arrived, the gap before every
 * later one, and when {@code data: [DONE]} ended it. Events that carry no content (the role
 * chunk, the finish and usage chunks) are not chunks here, so each gateway is timed on the same
 * deltas. An {@code error} event, an event after {@code [DONE]} or data that is not JSON spoils
 * the stream. Fed by the event loop reading the response; read once the response has ended.
 */
public final class StreamTimeline {

  static final String DONE = "[DONE]";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final long intendedNanos;
  private final SseEvents events = new SseEvents();
  private long firstByteNanos = -1;
  private long firstContentNanos = -1;
  private long lastContentNanos = -1;
  private long doneNanos = -1;
  private long[] gaps = new long[16];
  private int contentEvents;
  private String problem;

  /** @param intendedNanos when the request was due ({@link System#nanoTime}) */
  public StreamTimeline(final long intendedNanos) {
    this.intendedNanos = intendedNanos;
  }

  /** A piece of the response body, as it arrived at {@code nanos}. */
  public void bytes(final byte[] piece, final long nanos) {
    if (firstByteNanos < 0) {
      firstByteNanos = nanos;
    }
    for (final String data : events.feed(piece)) {
      event(data, nanos);
    }
  }

  void event(final String data, final long nanos) {
    if (problem != null) {
      return;
    }
    if (doneNanos >= 0) {
      problem = "an event after [DONE]";
    } else if (DONE.equals(data)) {
      doneNanos = nanos;
    } else {
      chunk(data, nanos);
    }
  }

  private void chunk(final String data, final long nanos) {
    final JsonNode chunk;
    try {
      chunk = JSON.readTree(data);
    } catch (JsonProcessingException e) {
      problem = "an event that is not JSON: " + e.getOriginalMessage();
      return;
    }
    if (chunk.has("error")) {
      problem = "an error event: " + chunk.get("error");
    } else if (carriesContent(chunk)) {
      if (contentEvents == 0) {
        firstContentNanos = nanos;
      } else {
        if (contentEvents > gaps.length) {
          gaps = Arrays.copyOf(gaps, gaps.length * 2);
        }
        gaps[contentEvents - 1] = nanos - lastContentNanos;
      }
      lastContentNanos = nanos;
      contentEvents++;
    }
  }

  /** Whether any choice's delta has non-empty text or a tool call. */
  static boolean carriesContent(final JsonNode chunk) {
    for (final JsonNode choice : chunk.path("choices")) {
      final JsonNode delta = choice.path("delta");
      if (!delta.path("content").asText("").isEmpty() || !delta.path("tool_calls").isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Content arrived, {@code [DONE]} ended the stream, and nothing spoilt it. */
  public boolean complete() {
    return problem().isEmpty();
  }

  /** Why the stream does not count as complete; empty when it does. */
  public Optional<String> problem() {
    if (problem != null) {
      return Optional.of(problem);
    }
    if (contentEvents == 0) {
      return Optional.of("no content event");
    }
    return doneNanos < 0 ? Optional.of("no [DONE]") : Optional.empty();
  }

  /** From the intended send time to the first content event; -1 before one arrived. */
  public long firstContentNanos() {
    return firstContentNanos < 0 ? -1 : firstContentNanos - intendedNanos;
  }

  /** When the request was due ({@link System#nanoTime}). */
  public long intendedAt() {
    return intendedNanos;
  }

  /** When the first piece of the body arrived ({@link System#nanoTime}); -1 before one did. */
  public long firstByteAt() {
    return firstByteNanos;
  }

  /** When the first content event arrived ({@link System#nanoTime}); -1 before one did. */
  public long firstContentAt() {
    return firstContentNanos;
  }

  /** From the intended send time to {@code [DONE]}; -1 before it arrived. */
  public long doneNanos() {
    return doneNanos < 0 ? -1 : doneNanos - intendedNanos;
  }

  public int contentEvents() {
    return contentEvents;
  }

  /** The gaps between consecutive content events, one fewer than there are events. */
  public long[] gapNanos() {
    return Arrays.copyOf(gaps, Math.max(0, contentEvents - 1));
  }

  /** One line for a report: events, first content and end, or what went wrong. */
  public String describe() {
    return String.format(Locale.ROOT, "%d content events, first after %.1f ms, [DONE] after %.1f ms%s",
        contentEvents, firstContentNanos() / 1e6, doneNanos() / 1e6,
        problem().map(p -> "; not complete: " + p).orElse(""));
  }
}
