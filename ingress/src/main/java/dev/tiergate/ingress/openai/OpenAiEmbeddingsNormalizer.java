package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.BodyNormalizer;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.BusLimits;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.SamplingParams;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Normalizes an OpenAI embeddings body ({@code POST /v1/embeddings}) into the pipeline's {@link
 * ChatRequest}: each input becomes one user message of one text part, in order, and the mode is
 * always {@value #MODE}, which routes by the {@code <tier>/embeddings} rules. Token-array inputs are
 * decoded to text with {@code cl100k_base}, the tokenizer of OpenAI's embeddings models, so every
 * provider gets text. Everything the caller got wrong is a 400 here, before anything is published.
 */
public final class OpenAiEmbeddingsNormalizer extends BodyNormalizer {

  /** The mode of every embeddings request. */
  static final String MODE = "embeddings";
  /** At most this many inputs a request: OpenAI's own limit. */
  static final int MAX_INPUTS = 2048;
  /** The longest vector any catalogued embeddings model makes (text-embedding-3-large). */
  static final int MAX_DIMENSIONS = 3072;
  static final Set<String> ENCODING_FORMATS = Set.of("float", "base64");
  /** Room in the response record for everything but the vectors' float32 values. */
  static final int RESPONSE_HEADROOM_BYTES = 1024 * 1024;
  /**
   * At most this many vector values (inputs × dimensions) a request, so the vectors fit the one
   * response record the bus carries: a bigger answer could not be delivered after being paid for.
   */
  static final long MAX_VECTOR_VALUES =
      (BusLimits.MAX_RECORD_BYTES - RESPONSE_HEADROOM_BYTES) / Float.BYTES;

  public OpenAiEmbeddingsNormalizer(final Clock clock) {
    super(clock, ApiKind.EMBEDDINGS);
  }

  /** @throws GatewayException 400 for a body that is not a valid embeddings request */
  @Override
  protected ChatRequest build(
      final JsonNode body, final String model, final Caller caller, final HeaderLookup headers) {
    final List<Message> inputs = inputs(body.get("input"));
    final Integer dimensions = dimensions(body);
    checkVectorValues(inputs.size(), dimensions);
    encodingFormat(body);
    JsonFields.text(body, "user", "user");
    return newRequest(body, model, caller, headers)
        .setMode(MODE)
        .setMessages(inputs)
        .setSampling(SamplingParams.newBuilder().build())
        .setEmbeddingDimensions(dimensions)
        .build();
  }

  /** Inputs × dimensions (the longest vector when the caller names none) within the bus limit. */
  private static void checkVectorValues(final int inputs, final Integer dimensions) {
    final long length = dimensions == null ? MAX_DIMENSIONS : dimensions;
    if (inputs * length > MAX_VECTOR_VALUES) {
      throw GatewayException.invalidRequest("input", "Too many vector values: " + inputs
          + " inputs × " + length + " dimensions" + (dimensions == null ? " (the longest, as "
          + "'dimensions' is not set)" : "") + " exceeds " + MAX_VECTOR_VALUES
          + "; send fewer inputs per request or set a smaller 'dimensions'.");
    }
  }

  /** {@code float} (the default) or {@code base64}. */
  static String encodingFormat(final JsonNode body) {
    final String format = JsonFields.text(body, "encoding_format", "encoding_format");
    if (format == null) {
      return "float";
    }
    if (!ENCODING_FORMATS.contains(format)) {
      throw GatewayException.invalidRequest(
          "encoding_format", "'encoding_format' must be 'float' or 'base64'.");
    }
    return format;
  }

  private static Integer dimensions(final JsonNode body) {
    final Long dimensions = JsonFields.integer(body, "dimensions");
    if (dimensions != null && (dimensions < 1 || dimensions > MAX_DIMENSIONS)) {
      throw GatewayException.invalidRequest(
          "dimensions", "'dimensions' must be an integer from 1 to " + MAX_DIMENSIONS + ".");
    }
    return dimensions == null ? null : dimensions.intValue();
  }

  /** A string, an array of strings, an array of token ids, or an array of token-id arrays. */
  private static List<Message> inputs(final JsonNode input) {
    if (input == null || input.isNull()) {
      throw GatewayException.invalidRequest("input", "'input' is required.");
    }
    final List<String> texts = new ArrayList<>();
    if (input.isTextual()) {
      texts.add(input.asText());
    } else if (input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
      texts.add(Tokens.decode(input, "input"));
    } else if (input.isArray()) {
      for (int i = 0; i < input.size(); i++) {
        final JsonNode item = input.get(i);
        if (item.isTextual()) {
          texts.add(item.asText());
        } else if (item.isArray()) {
          texts.add(Tokens.decode(item, "input[" + i + "]"));
        } else {
          throw GatewayException.invalidRequest("input", "'input' must be a string, an array of "
              + "strings, an array of token ids or an array of token-id arrays.");
        }
      }
    } else {
      throw GatewayException.invalidRequest("input", "'input' must be a string, an array of "
          + "strings, an array of token ids or an array of token-id arrays.");
    }
    if (texts.isEmpty() || texts.size() > MAX_INPUTS) {
      throw GatewayException.invalidRequest(
          "input", "'input' must hold 1 to " + MAX_INPUTS + " inputs; it holds " + texts.size() + ".");
    }
    final List<Message> messages = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i).isEmpty()) {
        throw GatewayException.invalidRequest("input", "Input " + i + " is empty; every input must "
            + "hold some text.");
      }
      messages.add(message(texts.get(i)));
    }
    return messages;
  }

  private static Message message(final String text) {
    final ContentPart part = ContentPart.newBuilder().setType(PartType.TEXT).setText(text).build();
    return Message.newBuilder().setRole("user").setParts(List.of(part)).build();
  }

  /** Token ids back to text; the encoding loads on the first token-array input. */
  private static final class Tokens {

    private static final Encoding CL100K =
        Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    static String decode(final JsonNode ids, final String param) {
      final IntArrayList tokens = new IntArrayList(ids.size());
      for (final JsonNode id : ids) {
        if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) {
          throw GatewayException.invalidRequest(param, "'" + param + "' must hold token ids "
              + "(non-negative integers).");
        }
        tokens.add(id.asInt());
      }
      try {
        return CL100K.decode(tokens);
      } catch (IllegalArgumentException e) {
        throw GatewayException.invalidRequest(param, "'" + param + "' holds a token id that "
            + "cl100k_base does not know.");
      }
    }
  }
}
