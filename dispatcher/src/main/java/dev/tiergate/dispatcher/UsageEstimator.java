package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.ToolCall;
import dev.tiergate.schemas.ToolDefinition;
import dev.tiergate.schemas.Usage;

/**
 * A rough token count (about four characters a token) for when a provider reported no usage, e.g.
 * a stream cut before its usage chunk. Tokens were spent all the same, so accounting gets an
 * estimate marked {@code estimated} rather than nothing.
 */
final class UsageEstimator {

  private static final int CHARS_PER_TOKEN = 4;

  private UsageEstimator() {}

  static Usage estimate(final ChatRequest request, final ProviderReply reply) {
    return Usage.newBuilder()
        .setInputTokens(tokens(inputChars(request)))
        .setOutputTokens(tokens(outputChars(reply)))
        .setEstimated(true)
        .build();
  }

  private static long inputChars(final ChatRequest request) {
    long chars = 0;
    for (final Message message : request.getMessages()) {
      for (final ContentPart part : message.getParts()) {
        chars += length(part.getText()) + length(part.getToolArgumentsJson());
      }
    }
    for (final ToolDefinition tool : request.getTools()) {
      chars += length(tool.getName()) + length(tool.getDescription()) + length(tool.getParametersJson());
    }
    return chars;
  }

  private static long outputChars(final ProviderReply reply) {
    long chars = length(reply.content()) + length(reply.reasoning());
    for (final ToolCall call : reply.toolCalls()) {
      chars += length(call.getName()) + length(call.getArgumentsJson());
    }
    return chars;
  }

  private static long tokens(final long chars) {
    return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }

  private static int length(final String text) {
    return text == null ? 0 : text.length();
  }
}
