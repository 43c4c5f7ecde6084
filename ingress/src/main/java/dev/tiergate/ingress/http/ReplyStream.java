package dev.tiergate.ingress.http;

import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * Renders one request's reply events as a dialect's server-sent events: the frames of each chunk
 * and of the final response, then the frames that close the stream. A failure, of the reply or
 * carried by the final response, becomes the dialect's error event, and nothing follows it. Holds
 * the state of one stream; a new instance per request.
 */
public abstract class ReplyStream {

  private final Function<Throwable, GatewayException> errors;
  private boolean failed;
  // What the reply said so far: chunks carry these as they go, a final response fills the gaps.
  private boolean chunkSeen;
  private Usage usage;
  private String finishReason;

  /** @param errors the caller-facing error of a failed reply */
  protected ReplyStream(final Function<Throwable, GatewayException> errors) {
    this.errors = Objects.requireNonNull(errors, "errors");
  }

  /** The SSE frames for the events; a failure becomes an error event that ends the stream. */
  public final Flux<String> render(final Flux<ReplyEvent> events) {
    return events
        .concatMapIterable(this::frames)
        .onErrorResume(error -> Flux.fromIterable(failed(errors.apply(error))))
        .concatWith(Flux.defer(() -> failed ? Flux.<String>empty() : Flux.fromIterable(end())));
  }

  private List<String> frames(final ReplyEvent event) {
    final List<String> frames = new ArrayList<>();
    if (event instanceof ReplyEvent.Chunk chunk) {
      seen(chunk.chunk());
      chunk(chunk.chunk(), frames);
      return frames;
    }
    final ChatResponse response = ((ReplyEvent.Final) event).response();
    if (response.getError() != null) {
      frames.addAll(failed(GatewayException.fromPipeline(response.getError())));
    } else {
      seen(response);
      answer(response, frames);
    }
    return frames;
  }

  private void seen(final ChatChunk chunk) {
    chunkSeen = true;
    if (chunk.getUsage() != null) {
      usage = chunk.getUsage();
    }
    if (chunk.getFinishReason() != null) {
      finishReason = chunk.getFinishReason();
    }
  }

  private void seen(final ChatResponse response) {
    if (usage == null) {
      usage = response.getUsage();
    }
    if (finishReason == null) {
      finishReason = response.getFinishReason();
    }
  }

  /** Whether a chunk came: a final response then only closes the stream the chunks made. */
  protected final boolean chunkSeen() {
    return chunkSeen;
  }

  /** The latest usage a chunk carried, else the final response's; null before either. */
  protected final Usage usage() {
    return usage;
  }

  /** The latest finish reason a chunk carried, else the final response's; null before either. */
  protected final String finishReason() {
    return finishReason;
  }

  private List<String> failed(final GatewayException error) {
    failed = true;
    return errorFrames(error);
  }

  /** Adds the frames of one streamed chunk. */
  protected abstract void chunk(ChatChunk chunk, List<String> frames);

  /** Adds the frames of the final response (one that carries no error). */
  protected abstract void answer(ChatResponse response, List<String> frames);

  /** The dialect's error event (with whatever must come before it). */
  protected abstract List<String> errorFrames(GatewayException error);

  /** The frames that close a stream that did not fail. */
  protected abstract List<String> end();
}
