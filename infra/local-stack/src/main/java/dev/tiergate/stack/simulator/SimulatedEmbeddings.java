package dev.tiergate.stack.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Embeddings in the providers' own formats: OpenAI's {@code POST …/embeddings} ({@code input} a
 * string or an array of strings, {@code dimensions}, {@code encoding_format} float or base64) and
 * Gemini's {@code …/models/{model}:embedContent} and {@code :batchEmbedContents} ({@code
 * outputDimensionality}). Vectors are deterministic: seeded by the SHA-256 of the text, unit length,
 * so equal texts embed equally and tests can recompute them with {@link #vector}.
 */
final class SimulatedEmbeddings {

  /** OpenAI's text-embedding-3-small length, used when the caller names none. */
  static final int OPENAI_DEFAULT_DIMENSIONS = 1536;
  /** Gemini's text-embedding-004 length, used when the caller names none. */
  static final int GEMINI_DEFAULT_DIMENSIONS = 768;
  /** OpenAI's own limit of inputs per request. */
  static final int MAX_INPUTS = 2048;
  /** Longest vector served (text-embedding-3-large and gemini-embedding-001 reach 3072). */
  static final int MAX_DIMENSIONS = 3072;

  private static final String OPENAI_SUFFIX = "/embeddings";
  private static final String GEMINI_SINGLE = ":embedContent";
  private static final String GEMINI_BATCH = ":batchEmbedContents";
  private static final String MODELS = "/models/";

  /**
   * One embeddings call.
   *
   * @param base64 OpenAI only: answer with base64 strings of little-endian float32
   */
  record Call(String model, List<String> inputs, int dimensions, Dialect dialect, boolean base64) {
    Call {
      Objects.requireNonNull(model, "model");
      inputs = List.copyOf(inputs);
      Objects.requireNonNull(dialect, "dialect");
    }

    int promptTokens() {
      return inputs.stream().mapToInt(text -> Math.max(1, TokenEstimator.tokens(text))).sum();
    }
  }

  /** Which API the call came in on, so the answer is spelled the same way. */
  enum Dialect {
    OPENAI,
    GEMINI_SINGLE,
    GEMINI_BATCH
  }

  private final ObjectMapper mapper;

  SimulatedEmbeddings(final ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** Whether a {@code POST} to this path (query removed) asks for embeddings. */
  static boolean serves(final String path) {
    return path.endsWith(OPENAI_SUFFIX)
        || path.contains(MODELS) && (path.endsWith(GEMINI_SINGLE) || path.endsWith(GEMINI_BATCH));
  }

  /** Whether the path is Gemini's, so errors are spelled Google's way. */
  static boolean isGemini(final String path) {
    return !path.endsWith(OPENAI_SUFFIX);
  }

  /**
   * Reads a request body.
   *
   * @throws InvalidRequestException where the provider answers 400
   */
  Call parse(final String path, final JsonNode body) {
    if (!body.isObject()) {
      throw new InvalidRequestException("The request body must be a JSON object.", null);
    }
    if (path.endsWith(OPENAI_SUFFIX)) {
      return openAi(body);
    }
    final String model =
        path.substring(path.lastIndexOf(MODELS) + MODELS.length(), path.lastIndexOf(':'));
    if (path.endsWith(GEMINI_SINGLE)) {
      return new Call(model, List.of(geminiText(body, "content")),
          dimensions(body.get("outputDimensionality"), GEMINI_DEFAULT_DIMENSIONS, "outputDimensionality"),
          Dialect.GEMINI_SINGLE, false);
    }
    final JsonNode requests = body.path("requests");
    if (!requests.isArray() || requests.isEmpty()) {
      throw new InvalidRequestException("* BatchEmbedContentsRequest.requests: requests is not specified", "requests");
    }
    final List<String> inputs = new ArrayList<>();
    int dimensions = GEMINI_DEFAULT_DIMENSIONS;
    for (int i = 0; i < requests.size(); i++) {
      final JsonNode request = requests.get(i);
      inputs.add(geminiText(request, "requests[" + i + "].content"));
      dimensions = dimensions(request.get("outputDimensionality"), GEMINI_DEFAULT_DIMENSIONS,
          "requests[" + i + "].outputDimensionality");
    }
    return new Call(model, inputs, dimensions, Dialect.GEMINI_BATCH, false);
  }

  private Call openAi(final JsonNode body) {
    final JsonNode model = body.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw new InvalidRequestException("you must provide a model parameter", "model");
    }
    final JsonNode input = body.get("input");
    final List<String> inputs = new ArrayList<>();
    if (input != null && input.isTextual()) {
      inputs.add(input.asText());
    } else if (input != null && input.isArray()) {
      input.forEach(item -> {
        if (!item.isTextual()) {
          throw new InvalidRequestException("'input' must be a string or an array of strings.", "input");
        }
        inputs.add(item.asText());
      });
    } else {
      throw new InvalidRequestException("'input' is a required property", "input");
    }
    if (inputs.isEmpty() || inputs.size() > MAX_INPUTS || inputs.stream().anyMatch(String::isEmpty)) {
      throw new InvalidRequestException(
          "'input' must hold 1 to " + MAX_INPUTS + " non-empty strings.", "input");
    }
    final String format = body.path("encoding_format").asText("float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw new InvalidRequestException("'encoding_format' must be 'float' or 'base64'.", "encoding_format");
    }
    return new Call(model.asText(), inputs,
        dimensions(body.get("dimensions"), OPENAI_DEFAULT_DIMENSIONS, "dimensions"),
        Dialect.OPENAI, format.equals("base64"));
  }

  private static String geminiText(final JsonNode holder, final String param) {
    final StringBuilder text = new StringBuilder();
    holder.path("content").path("parts").forEach(part -> text.append(part.path("text").asText("")));
    if (text.length() == 0) {
      throw new InvalidRequestException("* " + param + ": content is not specified", param);
    }
    return text.toString();
  }

  private static int dimensions(final JsonNode value, final int fallback, final String param) {
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.canConvertToInt() || value.asInt() < 1 || value.asInt() > MAX_DIMENSIONS) {
      throw new InvalidRequestException(
          "'" + param + "' must be an integer from 1 to " + MAX_DIMENSIONS + ".", param);
    }
    return value.asInt();
  }

  /** The answer body, spelled in the call's own format. */
  String answer(final Call call) {
    return switch (call.dialect()) {
      case OPENAI -> openAiAnswer(call);
      case GEMINI_SINGLE -> {
        final ObjectNode body = mapper.createObjectNode();
        values(body.putObject("embedding").putArray("values"), vector(call.inputs().get(0), call.dimensions()));
        yield body.toString();
      }
      case GEMINI_BATCH -> {
        final ObjectNode body = mapper.createObjectNode();
        final ArrayNode embeddings = body.putArray("embeddings");
        call.inputs().forEach(text ->
            values(embeddings.addObject().putArray("values"), vector(text, call.dimensions())));
        yield body.toString();
      }
    };
  }

  private String openAiAnswer(final Call call) {
    final ObjectNode body = mapper.createObjectNode().put("object", "list");
    final ArrayNode data = body.putArray("data");
    for (int i = 0; i < call.inputs().size(); i++) {
      final float[] vector = vector(call.inputs().get(i), call.dimensions());
      final ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (call.base64()) {
        item.put("embedding", base64(vector));
      } else {
        values(item.putArray("embedding"), vector);
      }
    }
    body.put("model", call.model());
    final int tokens = call.promptTokens();
    body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return body.toString();
  }

  private static void values(final ArrayNode array, final float[] vector) {
    for (final float value : vector) {
      array.add(value);
    }
  }

  /** Little-endian float32, base64: what OpenAI sends for {@code encoding_format: base64}. */
  static String base64(final float[] vector) {
    final ByteBuffer bytes =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (final float value : vector) {
      bytes.putFloat(value);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  /** The text's vector: Gaussian draws seeded by its SHA-256, scaled to unit length. */
  static float[] vector(final String text, final int dimensions) {
    final SplittableRandom random = new SplittableRandom(seed(text));
    final double[] draws = new double[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      // Box-Muller: two uniforms make one standard normal draw.
      final double u = 1.0 - random.nextDouble();
      draws[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
      norm += draws[i] * draws[i];
    }
    final double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm);
    final float[] vector = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      vector[i] = (float) (draws[i] * scale);
    }
    return vector;
  }

  private static long seed(final String text) {
    try {
      final byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
