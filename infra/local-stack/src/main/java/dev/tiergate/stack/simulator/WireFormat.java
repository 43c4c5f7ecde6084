package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One provider's wire format: which paths it serves, how its requests read and how its answers,
 * stream events and errors are spelled. The simulator's transport, counting, latency and failure
 * injection are shared; only this part differs between OpenAI, Anthropic and Gemini.
 */
interface WireFormat {

  /** Whether a {@code POST} to this path (query removed) is a request in this format. */
  boolean serves(String path);

  /**
   * Reads a request body.
   *
   * @throws InvalidRequestException when the provider would answer 400
   */
  SimulatedPrompt parse(String path, JsonNode body);

  /** The provider-style id of one answer, e.g. {@code chatcmpl-…}. */
  String responseId(long hash, long sequence);

  /** The complete, non-streaming answer body. */
  String completion(SimulatedPrompt prompt, SimulatedReply reply, Envelope envelope);

  /** The streamed answer as complete server-sent-event frames, terminator included. */
  List<String> streamEvents(SimulatedPrompt prompt, SimulatedReply reply, Envelope envelope);

  /** The error body this provider sends for the given error. */
  String error(SimulatedError kind, String message, String param);

  /**
   * What every answer carries besides its content.
   *
   * @param createdEpochSeconds creation time, in seconds since the epoch
   */
  record Envelope(String id, long createdEpochSeconds) {}
}
