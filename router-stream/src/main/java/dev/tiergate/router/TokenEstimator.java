package dev.tiergate.router;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.ToolDefinition;
import java.util.Objects;

/**
 * Estimates a request's tokens for context-window checks: text, tool arguments and tool
 * definitions counted with a real BPE tokenizer ({@code o200k_base}, jtokkit), plus a few tokens of
 * framing per message and the requested output budget ({@code maxTokens}). Tokenizing is the
 * expensive part, so {@link #upperBound} (UTF-8 bytes, which no byte-level BPE exceeds) decides
 * first whether the exact count can matter at all.
 */
public final class TokenEstimator {

  /** Framing tokens of one message (role, separators), as OpenAI's cookbook counts them. */
  static final int TOKENS_PER_MESSAGE = 4;
  /** Images are priced by tiles; a flat estimate is enough to compare with context windows. */
  static final int TOKENS_PER_IMAGE = 1_000;

  public TokenEstimator() {
    // The encoding (a few MB of merges) loads on the first exact count, once per JVM.
  }

  /** The estimate: exact token counts of every text plus framing and the output budget. */
  public long estimate(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return maxTokens(request) + count(request, O200k.ENCODING);
  }

  /** The input alone: {@link #estimate} without the output budget. */
  public long inputTokens(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return count(request, O200k.ENCODING);
  }

  /** A bound no tokenizer count exceeds: UTF-8 bytes (at most 3 per UTF-16 char) of every text. */
  public static long upperBound(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    return maxTokens(request) + count(request, null);
  }

  /** The request's {@code max_tokens}, 0 when it sets none. */
  static long maxTokens(final ChatRequest request) {
    return request.getSampling() == null || request.getSampling().getMaxTokens() == null
        ? 0 : request.getSampling().getMaxTokens();
  }

  /** The input's tokens: exact with an encoding; the UTF-8 upper bound without one. */
  private static long count(final ChatRequest request, final Encoding encoding) {
    long tokens = 0;
    for (final Message message : request.getMessages()) {
      tokens += TOKENS_PER_MESSAGE;
      for (final ContentPart part : message.getParts()) {
        tokens += part.getType() == PartType.IMAGE ? TOKENS_PER_IMAGE : 0;
        tokens += text(part.getText(), encoding);
        tokens += text(part.getToolArgumentsJson(), encoding);
      }
    }
    for (final ToolDefinition tool : request.getTools()) {
      tokens += text(tool.getName(), encoding);
      tokens += text(tool.getDescription(), encoding);
      tokens += text(tool.getParametersJson(), encoding);
    }
    return tokens;
  }

  private static long text(final String text, final Encoding encoding) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    return encoding != null ? encoding.countTokensOrdinary(text) : 3L * text.length();
  }

  /** Holder: loaded when an exact count is first needed, shared by every estimator. */
  private static final class O200k {
    static final Encoding ENCODING =
        Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
  }
}
