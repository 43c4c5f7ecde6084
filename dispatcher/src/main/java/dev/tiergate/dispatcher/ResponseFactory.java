package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ApiKey;
import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.dispatcher.provider.ProviderTarget;
import dev.tiergate.dispatcher.provider.StreamDelta;
import dev.tiergate.schemas.ChatChunk;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** Builds the records the dispatcher publishes from a request, its decision and its outcome. */
final class ResponseFactory {

  private static final String FINISH_ERROR = "error";
  static final String PAID_BY_PLATFORM = "platform";
  static final String PAID_BY_BYOK = "byok";

  private final Clock clock;

  ResponseFactory(final Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  ChatResponse served(
      final RoutedRequest routed, final ProviderTarget target, final ProviderReply reply, final Usage usage) {
    return base(routed)
        .setContent(reply.content())
        .setReasoning(reply.reasoning())
        .setToolCalls(reply.toolCalls())
        .setFinishReason(reply.finishReason() != null ? reply.finishReason() : "stop")
        .setModel(target.catalogueId())
        .setProvider(target.provider())
        .setUsage(usage)
        .setReasoningSignature(reply.reasoningSignature())
        .setReasoningFormat(hasReasoning(reply) ? target.adapter().format().reasoningFormat() : null)
        .setReasoningFamily(hasReasoning(reply) ? target.family() : null)
        .setEmbeddings(reply.embeddings())
        .build();
  }

  /** Reasoning the client may send back later, tagged so the next call can judge it. */
  private static boolean hasReasoning(final ProviderReply reply) {
    return reply.reasoning() != null || reply.reasoningSignature() != null;
  }

  /** A stream cut short: what arrived, the usage it cost, and the error. */
  ChatResponse interrupted(
      final RoutedRequest routed,
      final ProviderTarget target,
      final ProviderReply partial,
      final Usage usage,
      final ErrorInfo error) {
    return ChatResponse.newBuilder(served(routed, target, partial, usage))
        .setFinishReason(FINISH_ERROR)
        .setError(error)
        .build();
  }

  ChatResponse failed(final RoutedRequest routed, final ErrorInfo error) {
    return base(routed).setFinishReason(FINISH_ERROR).setError(error).build();
  }

  UsageEvent usage(
      final RoutedRequest routed, final ProviderTarget target, final Usage usage, final boolean interrupted) {
    final ChatRequest request = routed.getRequest();
    final RoutingDecision decision = routed.getDecision();
    return UsageEvent.newBuilder()
        .setCorrelationId(request.getCorrelationId())
        .setTenant(request.getTenant())
        .setSessionId(request.getSessionId())
        .setMode(decision.getMode())
        .setTier(decision.getTier())
        .setFeature(request.getFeature())
        .setModel(target.catalogueId())
        .setProvider(target.provider())
        .setUsage(usage)
        .setInterrupted(interrupted)
        .setBatchId(request.getBatchId())
        .setParentSessionId(request.getParentSessionId())
        .setProjectId(request.getProjectId())
        .setEditorName(request.getEditorName())
        .setMachineId(request.getMachineId())
        .setOrganizationId(request.getOrganizationId())
        .setClientRequestId(request.getClientRequestId())
        .setKeyId(request.getKeyId())
        .setApiKind(request.getApiKind())
        .setPaidBy(paidBy(target))
        .setOccurredAt(now())
        .build();
  }

  /**
   * Whose provider key paid: {@code byok} when the call carried a key other than the endpoint's
   * platform key (the tenant's own, see KeyStore), else {@code platform}.
   */
  static String paidBy(final ProviderTarget target) {
    final boolean platform = target.apiKey().isEmpty()
        || target.apiKey().equals(target.endpoint().apiKey().map(ApiKey::of));
    return platform ? PAID_BY_PLATFORM : PAID_BY_BYOK;
  }

  ChatChunk chunk(
      final String correlationId, final int sequence, final StreamDelta delta, final String model) {
    return chunkOf(correlationId, sequence, model)
        .setContentDelta(delta.content())
        .setReasoningDelta(delta.reasoning())
        .setToolCallIndex(delta.toolCallIndex())
        .setToolCallId(delta.toolCallId())
        .setToolName(delta.toolName())
        .setToolArgumentsDelta(delta.toolArgumentsDelta())
        .setReasoningSignature(delta.reasoningSignature())
        .build();
  }

  ChatChunk lastChunk(
      final String correlationId,
      final int sequence,
      final String finishReason,
      final Usage usage,
      final String model) {
    return chunkOf(correlationId, sequence, model)
        .setFinishReason(finishReason)
        .setUsage(usage)
        .setLast(true)
        .build();
  }

  /** What every chunk of a stream carries: whose it is, its place, the model sending it. */
  private static ChatChunk.Builder chunkOf(
      final String correlationId, final int sequence, final String model) {
    return ChatChunk.newBuilder()
        .setCorrelationId(correlationId)
        .setSequence(sequence)
        .setModel(model);
  }

  /** The stream's first chunk carries the decision: the ingress sends its headers with that chunk. */
  ChatChunk withDecision(final ChatChunk chunk, final RoutingDecision decision) {
    return ChatChunk.newBuilder(chunk)
        .setTier(decision.getTier())
        .setMode(decision.getMode())
        .setRuleKey(decision.getRuleKey())
        .setModePredicted(decision.getPredicted())
        .build();
  }

  private ChatResponse.Builder base(final RoutedRequest routed) {
    final ChatRequest request = routed.getRequest();
    final RoutingDecision decision = routed.getDecision();
    return ChatResponse.newBuilder()
        .setCorrelationId(request.getCorrelationId())
        .setSessionId(request.getSessionId())
        .setTenant(request.getTenant())
        .setTier(decision.getTier())
        .setMode(decision.getMode())
        .setRuleKey(decision.getRuleKey())
        .setModePredicted(decision.getPredicted())
        .setBatchId(request.getBatchId())
        .setBatchItemId(request.getBatchItemId())
        .setCreatedAt(now());
  }

  /** Avro keeps milliseconds; truncating here keeps a record equal to its round trip. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }
}
