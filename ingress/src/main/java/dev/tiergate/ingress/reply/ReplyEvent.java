package dev.tiergate.ingress.reply;

import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import java.util.Objects;

/** What a pending request hears back: streaming deltas and the one final response. */
public sealed interface ReplyEvent permits ReplyEvent.Chunk, ReplyEvent.Final {

  /** One streaming delta from {@code tiergate.response-chunks}. */
  record Chunk(ChatChunk chunk) implements ReplyEvent {
    public Chunk {
      Objects.requireNonNull(chunk, "chunk");
    }
  }

  /** The final response (success or typed error) from {@code tiergate.responses}. */
  record Final(ChatResponse response) implements ReplyEvent {
    public Final {
      Objects.requireNonNull(response, "response");
    }
  }
}
