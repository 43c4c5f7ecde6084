package dev.tiergate.dispatcher.provider;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a server-sent-event byte stream into events, whatever the network chunk boundaries.
 * Lines are cut on bytes before decoding, so a multi-byte character split across chunks survives
 * (a newline byte never occurs inside a UTF-8 sequence). One instance per stream.
 */
public final class SseDecoder {

  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final StringBuilder data = new StringBuilder();
  private String eventName;
  private boolean hasData;

  /** Feeds the next chunk; returns the events it completed. */
  public List<SseEvent> feed(final byte[] chunk) {
    final List<SseEvent> events = new ArrayList<>();
    for (final byte b : chunk) {
      if (b == '\n') {
        onLine(lineText(), events);
      } else {
        line.write(b);
      }
    }
    return events;
  }

  /** Ends the stream: an event not terminated by a blank line is still delivered. */
  public List<SseEvent> finish() {
    final List<SseEvent> events = new ArrayList<>();
    if (line.size() > 0) {
      onLine(lineText(), events);
    }
    dispatch(events);
    return events;
  }

  private String lineText() {
    final String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  private void onLine(final String text, final List<SseEvent> events) {
    if (text.isEmpty()) {
      dispatch(events);
      return;
    }
    if (text.startsWith(":")) {
      return;
    }
    final int colon = text.indexOf(':');
    final String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if ("data".equals(field)) {
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    } else if ("event".equals(field)) {
      eventName = value;
    }
  }

  private void dispatch(final List<SseEvent> events) {
    if (hasData) {
      events.add(new SseEvent(eventName, data.toString()));
    }
    data.setLength(0);
    hasData = false;
    eventName = null;
  }
}
