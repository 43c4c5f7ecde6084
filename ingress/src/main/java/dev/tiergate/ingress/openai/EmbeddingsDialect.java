package dev.tiergate.ingress.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.http.NormalizingDialect;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * OpenAI embeddings ({@code POST /v1/embeddings}): a {@code list} of {@code embedding} objects in
 * input order, each vector as floats or, with {@code encoding_format: base64}, as base64 of its
 * little-endian float32 bytes (what OpenAI sends); usage counts input tokens only. Errors are
 * OpenAI's. Embeddings never stream.
 */
public final class EmbeddingsDialect extends NormalizingDialect {

  private final ObjectMapper mapper;

  public EmbeddingsDialect(
      final OpenAiEmbeddingsNormalizer normalizer, final OpenAiJson json, final ObjectMapper mapper) {
    super(normalizer, json::error);
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  @Override
  public String completion(
      final ChatRequest request, final JsonNode body, final ChatResponse response) {
    final boolean base64 = "base64".equals(OpenAiEmbeddingsNormalizer.encodingFormat(body));
    final ObjectNode root = mapper.createObjectNode().put("object", "list");
    final ArrayNode data = root.putArray("data");
    final List<List<Float>> vectors = response.getEmbeddings();
    for (int i = 0; i < vectors.size(); i++) {
      final ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        item.put("embedding", base64(vectors.get(i)));
      } else {
        final ArrayNode values = item.putArray("embedding");
        vectors.get(i).forEach(values::add);
      }
    }
    root.put("model", response.getModel());
    final long tokens = response.getUsage() == null ? 0 : response.getUsage().getInputTokens();
    root.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return root.toString();
  }

  /** Little-endian float32 bytes, base64: what OpenAI's clients decode. */
  static String base64(final List<Float> vector) {
    final ByteBuffer bytes =
        ByteBuffer.allocate(vector.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    vector.forEach(bytes::putFloat);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  @Override
  public Flux<String> stream(final ChatRequest request, final JsonNode body, final Flux<ReplyEvent> events) {
    return Flux.error(new IllegalStateException("embeddings never stream"));
  }
}
