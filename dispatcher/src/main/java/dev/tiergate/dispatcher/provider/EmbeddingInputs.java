package dev.tiergate.dispatcher.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * The texts of an {@code EMBEDDINGS} request and the vectors of its answer. The ingress puts each
 * input in a message of its own (one text part), so the order of messages is the order of inputs.
 */
public final class EmbeddingInputs {

  private EmbeddingInputs() {}

  /** One text per message, in order. */
  public static List<String> of(final ChatRequest request) {
    final List<String> inputs = new ArrayList<>(request.getMessages().size());
    for (final Message message : request.getMessages()) {
      final StringBuilder text = new StringBuilder();
      for (final ContentPart part : message.getParts()) {
        if (part.getText() != null) {
          text.append(part.getText());
        }
      }
      inputs.add(text.toString());
    }
    return inputs;
  }

  /**
   * A JSON array of numbers as a float32 vector.
   *
   * @throws ProviderFailure {@code INVALID_RESPONSE} when it is not one
   */
  public static List<Float> vector(final JsonNode values) {
    if (values == null || !values.isArray() || values.isEmpty()) {
      throw ProviderFailure.invalidResponse("an embedding is not an array of numbers", null);
    }
    final List<Float> vector = new ArrayList<>(values.size());
    for (final JsonNode value : values) {
      if (!value.isNumber()) {
        throw ProviderFailure.invalidResponse("an embedding is not an array of numbers", null);
      }
      vector.add(value.floatValue());
    }
    return vector;
  }

  /**
   * Checks that an answer holds one vector per input.
   *
   * @throws ProviderFailure {@code INVALID_RESPONSE} when the counts differ
   */
  public static ProviderReply checked(final ProviderReply reply, final int inputs) {
    if (reply.embeddings().size() != inputs) {
      throw ProviderFailure.invalidResponse(
          "the answer has " + reply.embeddings().size() + " embeddings for " + inputs + " inputs", null);
    }
    return reply;
  }
}
