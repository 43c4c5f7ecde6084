package dev.tiergate.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Splits a server-sent-event body, fed in whatever pieces the network delivers, into the data of
 * each complete event, as the WHATWG rules say: a line ends in LF, CRLF or CR; an empty line ends
 * an event; the event's {@code data:} lines (one leading space dropped) join with LF; comments
 * ({@code :…}), other fields and events without data are skipped. Bytes wait until their line is
 * complete, so a character split between two pieces decodes whole. One instance per response.
 */
final class SseEvents {

  private static final byte LF = '\n';
  private static final byte CR = '\r';
  private static final String DATA = "data";

  private byte[] pending = new byte[512];
  private int length;
  /** The last piece ended in CR: an LF starting the next one belongs to that line end. */
  private boolean afterCr;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;

  /** The data of every event this piece completes, in order; none when it completes none. */
  List<String> feed(final byte[] piece) {
    Objects.requireNonNull(piece, "piece");
    if (piece.length == 0) {
      return List.of();
    }
    final List<String> events = new ArrayList<>(1);
    int lineStart = 0;
    int i = 0;
    if (afterCr && piece[0] == LF) {
      lineStart = 1;
      i = 1;
    }
    afterCr = false;
    for (; i < piece.length; i++) {
      final byte b = piece[i];
      if (b != LF && b != CR) {
        continue;
      }
      append(piece, lineStart, i);
      line(events);
      if (b == CR) {
        if (i + 1 < piece.length) {
          if (piece[i + 1] == LF) {
            i++;
          }
        } else {
          afterCr = true;
        }
      }
      lineStart = i + 1;
    }
    append(piece, lineStart, piece.length);
    return events;
  }

  private void append(final byte[] piece, final int from, final int to) {
    final int count = to - from;
    if (count <= 0) {
      return;
    }
    if (length + count > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + count));
    }
    System.arraycopy(piece, from, pending, length, count);
    length += count;
  }

  /** Handles the complete line held in {@code pending}, then empties it. */
  private void line(final List<String> events) {
    final String line = new String(pending, 0, length, StandardCharsets.UTF_8);
    length = 0;
    if (line.isEmpty()) {
      if (hasData) {
        events.add(data.toString());
      }
      data.setLength(0);
      hasData = false;
      return;
    }
    final int colon = line.indexOf(':');
    final String field = colon < 0 ? line : line.substring(0, colon);
    if (!DATA.equals(field)) {
      return;
    }
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (hasData) {
      data.append('\n');
    }
    data.append(value);
    hasData = true;
  }
}
