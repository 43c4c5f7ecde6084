package dev.tiergate.dispatcher.provider;

/**
 * One server-sent event.
 *
 * @param event the {@code event:} field, null when absent
 * @param data the {@code data:} lines joined with newlines
 */
public record SseEvent(String event, String data) {}
