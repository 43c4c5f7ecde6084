package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.Outcome.Served;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderTarget;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.Usage;
import dev.tiergate.tracing.GenAiAttributes;
import dev.tiergate.tracing.MessagingSpans;
import dev.tiergate.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;

/**
 * One routed request's trace in the dispatcher: a {@code process} span for the request, under it a
 * {@code chat <model>} span per model of the chain that is called (the GenAI conventions: operation,
 * provider, request and response model, token usage; retries as {@code retry} events), fallbacks
 * as {@code fallback} events, and the provider's own time, which the reply carries so the ingress
 * can report the time the gateway added. Provider time is the sum of the provider calls'
 * durations, retries included; backoff between retries counts as the gateway's.
 */
final class DispatchTrace {

  /** The Reactor context key under which the worker hands over the trace a routed record carried. */
  static final Object PARENT = DispatchTrace.class;
  static final String TRACER = "tiergate-dispatcher";
  static final AttributeKey<String> REASON = AttributeKey.stringKey("tiergate.reason");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("tiergate.model");

  private final Span process;
  private final AtomicLong providerNanos = new AtomicLong();
  private final AtomicLong callStartedNanos = new AtomicLong();

  private DispatchTrace(final Span process) {
    this.process = process;
  }

  /** Starts the request's span under {@code parent}, the context its routed record carried. */
  static DispatchTrace start(final Context parent, final RoutedRequest routed) {
    final String topic = routed.getRequest().getBatchId() != null
        ? Topics.ROUTED_BATCH.name() : Topics.ROUTED.name();
    return new DispatchTrace(MessagingSpans.process(
        Tracing.tracer(TRACER), topic, parent, routed.getRequest().getCorrelationId()));
  }

  /** The context the request's records (response, chunks, usage) carry as their parent. */
  Context context() {
    return Context.root().with(process);
  }

  /** The span of one model's call, the GenAI conventions' {@code chat <model>}. */
  Span attempt(final ProviderTarget target) {
    return Tracing.tracer(TRACER).spanBuilder(GenAiAttributes.CHAT + " " + target.model().upstreamModel())
        .setSpanKind(SpanKind.CLIENT)
        .setParent(context())
        .setAttribute(GenAiAttributes.OPERATION_NAME, GenAiAttributes.CHAT)
        .setAttribute(GenAiAttributes.PROVIDER_NAME, target.model().provider())
        .setAttribute(GenAiAttributes.REQUEST_MODEL, target.model().upstreamModel())
        .setAttribute(MODEL, target.catalogueId())
        .startSpan();
  }

  /** The attempt's outcome: response model, tokens and finish reason when served. */
  static void served(final Span attempt, final Outcome outcome) {
    if (outcome instanceof Served served) {
      attempt.setAttribute(GenAiAttributes.RESPONSE_MODEL, served.target().model().upstreamModel());
      served.reply().usage().ifPresent(usage -> tokens(attempt, usage));
      if (served.reply().finishReason() != null) {
        attempt.setAttribute(GenAiAttributes.FINISH_REASONS, List.of(served.reply().finishReason()));
      }
      served.interruption().ifPresent(failure -> failed(attempt, failure));
    } else if (outcome instanceof Outcome.Abandoned abandoned) {
      attempt.setAttribute(REASON, abandoned.reason());
    }
    attempt.end();
  }

  /** The attempt failed: the provider failure's kind (or the exception's class) as {@code error.type}. */
  static void failed(final Span attempt, final Throwable error) {
    final String type = error instanceof ProviderFailure failure
        ? failure.kind().name().toLowerCase(Locale.ROOT)
        : error.getClass().getName();
    attempt.setAttribute(GenAiAttributes.ERROR_TYPE, type);
    attempt.setStatus(StatusCode.ERROR, type);
    attempt.end();
  }

  private static void tokens(final Span attempt, final Usage usage) {
    attempt.setAttribute(GenAiAttributes.INPUT_TOKENS, (long) usage.getInputTokens());
    attempt.setAttribute(GenAiAttributes.OUTPUT_TOKENS, (long) usage.getOutputTokens());
  }

  static void retried(final Span attempt) {
    attempt.addEvent("retry");
  }

  /** The chain moves past {@code model}: why, as an event on the request's span. */
  void fellBack(final String model, final String reason) {
    process.addEvent("fallback", Attributes.of(MODEL, model, REASON, reason));
  }

  /** A provider call (a stream, or a stream of one reply), its duration counted as provider time. */
  <T> Flux<T> timed(final Flux<T> call) {
    return call.doOnSubscribe(subscription -> callStartedNanos.set(System.nanoTime()))
        .doFinally(signal -> callEnded());
  }

  private void callEnded() {
    final long started = callStartedNanos.getAndSet(0);
    if (started != 0) {
      providerNanos.addAndGet(System.nanoTime() - started);
    }
  }

  /** Provider time so far, the call in progress included, in microseconds. */
  long providerMicros() {
    final long started = callStartedNanos.get();
    final long running = started == 0 ? 0 : System.nanoTime() - started;
    return (providerNanos.get() + running) / 1_000;
  }

  /**
   * The reply the request ends with: it carries the provider time (when a provider was called),
   * and an error reply marks the request's span failed.
   */
  void replied(final ChatResponse response) {
    final long micros = providerMicros();
    if (micros > 0) {
      response.setProviderMicros(micros);
    }
    if (response.getError() != null) {
      final String type = String.valueOf(response.getError().getType());
      process.setAttribute(GenAiAttributes.ERROR_TYPE, type);
      process.setStatus(StatusCode.ERROR, type);
    }
  }

  void end() {
    process.end();
  }
}
