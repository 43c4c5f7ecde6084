package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.ChainErrors.Attempt;
import dev.tiergate.dispatcher.Outcome.Abandoned;
import dev.tiergate.dispatcher.Outcome.Failed;
import dev.tiergate.dispatcher.Outcome.Served;
import dev.tiergate.dispatcher.provider.ProviderClient;
import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderTarget;
import dev.tiergate.dispatcher.provider.Providers;
import dev.tiergate.dispatcher.provider.ReasoningHygiene;
import dev.tiergate.dispatcher.provider.ReplyAssembler;
import dev.tiergate.dispatcher.provider.RetryPolicy;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ErrorInfo;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.Usage;
import dev.tiergate.schemas.UsageEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Serves a routed request along its model chain: for each model it picks the request's key,
 * drops reasoning the model cannot take back, and calls it through the provider's guards
 * (concurrency budget, circuit breaker), retried per the {@link RetryPolicy}; then the chain moves
 * on. A rejected request or an exhausted chain ends in an error response. Every request ends in exactly one {@code ChatResponse}, plus one {@code UsageEvent} when
 * tokens were spent; a streamed request also gets its chunks, closed by one {@code last} chunk.
 */
public final class RequestDispatcher implements RoutedRequestHandler {

  private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

  private final Providers providers;
  private final ProviderClient client;
  private final CallPolicy policy;
  private final RetryPolicy retry;
  private final ResponsePublisher publisher;
  private final ResponseFactory factory;
  private final DispatcherMetrics metrics;
  private final CallStops stops;

  /** A dispatcher with in-memory metrics whose calls stop only at their requests' deadlines. */
  public RequestDispatcher(final ProviderCalls calls, final ResponsePublisher publisher, final Clock clock) {
    this(calls, publisher, clock, DispatcherMetrics.inMemory(), CallStops.deadlinesOnly(clock));
  }

  /**
   * @param stops stops a call at its request's deadline or at its cancel
   */
  public RequestDispatcher(
      final ProviderCalls calls,
      final ResponsePublisher publisher,
      final Clock clock,
      final DispatcherMetrics metrics,
      final CallStops stops) {
    this.providers = Objects.requireNonNull(calls, "calls").providers();
    this.client = calls.client();
    this.policy = calls.policy();
    this.retry = policy.retry();
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.factory = new ResponseFactory(clock);
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.stops = Objects.requireNonNull(stops, "stops");
  }

  @Override
  public Mono<Void> handle(final RoutedRequest routed) {
    Objects.requireNonNull(routed, "routed");
    return Mono.deferContextual(context -> {
      final DispatchTrace trace =
          DispatchTrace.start(context.getOrDefault(DispatchTrace.PARENT, Context.root()), routed);
      final String id = routed.getRequest().getCorrelationId();
      publisher.traced(id, trace.context());
      return Mono.using(
              () -> stops.open(routed.getRequest()), stop -> dispatch(routed, stop, trace), CallStop::close)
          .doFinally(signal -> {
            publisher.untraced(id);
            trace.end();
          });
    });
  }

  /** A request nobody waits for any more (deadline passed, cancel heard) is not sent at all. */
  private Mono<Void> dispatch(final RoutedRequest routed, final CallStop stop, final DispatchTrace trace) {
    if (stop.stopped()) {
      return publish(
          routed, new Abandoned(stop.reason().orElseThrow(), Optional.empty()), Optional.empty(), trace);
    }
    return routed.getRequest().getStream()
        ? dispatchStream(routed, stop, trace)
        : dispatchComplete(routed, stop, trace);
  }

  private Mono<Void> dispatchComplete(
      final RoutedRequest routed, final CallStop stop, final DispatchTrace trace) {
    final ChatRequest request = routed.getRequest();
    return walk(
            routed,
            0,
            new ArrayList<>(),
            trace,
            (target, span) ->
                stopped(stop)
                    .switchIfEmpty(
                        attempt(routed, target, trace, span, () -> client.complete(
                                target, ReasoningHygiene.forTarget(request, target), params(routed)).flux())
                            .singleOrEmpty()
                            .map(reply -> (Outcome) new Served(target, reply, Optional.empty()))
                            .takeUntilOther(stop.signal())
                            .switchIfEmpty(stopped(stop))))
        .flatMap(outcome -> publish(routed, outcome, Optional.empty(), trace));
  }

  /**
   * Calls one model, retrying it on a retryable failure: each try behind the model's guards (breaker
   * and limiters), counted and timed, its provider time traced. A non-streamed call is a stream of
   * one reply.
   */
  private <T> Flux<T> attempt(
      final RoutedRequest routed,
      final ProviderTarget target,
      final DispatchTrace trace,
      final Span span,
      final Supplier<Flux<T>> call) {
    final ChatRequest request = routed.getRequest();
    return policy
        .guards()
        .stream(
            target,
            request.getTenant(),
            isBatch(request),
            () -> metrics.stream(target, () -> trace.timed(call.get())))
        .retryWhen(retry.spec(() -> retried(target, span)));
  }

  /** The abandoned outcome once the call must stop (nothing of it kept); empty before. */
  private static Mono<Outcome> stopped(final CallStop stop) {
    return Mono.defer(() -> Mono.justOrEmpty(stop.reason().map(reason -> new Abandoned(reason, Optional.empty()))));
  }

  private Mono<Void> dispatchStream(
      final RoutedRequest routed, final CallStop stop, final DispatchTrace trace) {
    final ChunkStream chunks = new ChunkStream(routed, publisher, factory);
    return walk(
            routed,
            0,
            new ArrayList<>(),
            trace,
            (target, span) -> stopped(stop).switchIfEmpty(
                streamAttempt(routed, target, chunks, stop, trace, span)))
        .flatMap(outcome -> publish(routed, outcome, Optional.of(chunks), trace));
  }

  /**
   * One model of a streamed request; a stream cut after its first delta still counts as served. A
   * stop cuts the provider stream (the connection is closed) and keeps what was streamed.
   */
  private Mono<Outcome> streamAttempt(
      final RoutedRequest routed,
      final ProviderTarget target,
      final ChunkStream chunks,
      final CallStop stop,
      final DispatchTrace trace,
      final Span span) {
    final ReplyAssembler assembler = new ReplyAssembler();
    final ChatRequest request = routed.getRequest();
    return attempt(routed, target, trace, span, () -> client.stream(
            target, ReasoningHygiene.forTarget(request, target), params(routed)))
        .publishOn(Schedulers.boundedElastic())
        // After publishOn: takeUntilOther serializes its completion with the deltas before it.
        .takeUntilOther(stop.signal())
        .doOnNext(
            delta -> {
              if (!assembler.started()) {
                stop.firstDelivered();
                chunks.providerTimeToFirstDelta(trace.providerMicros());
              }
              assembler.add(delta);
              if (delta.hasPayload()) {
                chunks.delta(delta, target.catalogueId());
              }
            })
        .then(Mono.fromSupplier(() -> streamEnd(target, assembler, stop)))
        .onErrorResume(
            ProviderFailure.class,
            failure ->
                failure.kind() == ProviderFailure.Kind.INTERRUPTED
                    ? Mono.just(new Served(target, assembler.reply(), Optional.of(failure)))
                    : Mono.error(failure));
  }

  private static Outcome streamEnd(
      final ProviderTarget target, final ReplyAssembler assembler, final CallStop stop) {
    final Served served = new Served(target, assembler.reply(), Optional.empty());
    if (stop.stopped() && assembler.finishReason().isEmpty()) {
      return new Abandoned(stop.reason().orElseThrow(), assembler.started() ? Optional.of(served) : Optional.empty());
    }
    return served;
  }

  /** Tries the chain from {@code index}; resolves to the outcome, never to a provider error. */
  private Mono<Outcome> walk(
      final RoutedRequest routed,
      final int index,
      final List<Attempt> attempts,
      final DispatchTrace trace,
      final BiFunction<ProviderTarget, Span, Mono<Outcome>> attempt) {
    final List<String> chain = routed.getDecision().getModelChain();
    final String correlationId = routed.getRequest().getCorrelationId();
    if (index >= chain.size()) {
      if (!attempts.isEmpty()) {
        log.warn("no model could serve {}: {}", correlationId, ChainErrors.describe(attempts));
      }
      return Mono.just(new Failed(ChainErrors.exhausted(attempts, correlationId)));
    }
    final String model = chain.get(index);
    if (!providers.callable(model)) {
      // Never call what the catalogue does not list: the id may be the caller's own spelling.
      log.warn("model {} of {} is not in the model catalogue; trying the next one", model, correlationId);
      attempts.add(new Attempt(model, Optional.empty(), ChainErrors.Skip.NOT_IN_CATALOGUE));
      fellBack(model, "not_in_catalogue", trace);
      return walk(routed, index + 1, attempts, trace, attempt);
    }
    final Optional<ProviderTarget> target = providers.resolve(model);
    if (target.isEmpty()) {
      log.warn(
          "no provider configured for model {} of {}; trying the next one",
          model,
          routed.getRequest().getCorrelationId());
      attempts.add(new Attempt(model, Optional.empty()));
      fellBack(model, "no_provider", trace);
      return walk(routed, index + 1, attempts, trace, attempt);
    }
    return Mono.defer(() -> traced(trace.attempt(target.get()),
            span -> attempt.apply(withKey(routed.getRequest(), target.get()), span)))
        .onErrorResume(
            ProviderFailure.class,
            failure -> {
              log.warn(
                  "model {} failed for {}: {}",
                  model,
                  routed.getRequest().getCorrelationId(),
                  failure.getMessage());
              attempts.add(new Attempt(model, Optional.of(failure)));
              if (!failure.fallbackAllowed()) {
                return Mono.just(new Failed(ChainErrors.terminal(failure, correlationId)));
              }
              fellBack(model, failure.kind().name().toLowerCase(Locale.ROOT), trace);
              return walk(routed, index + 1, attempts, trace, attempt);
            });
  }

  /** One model's call inside its span, which ends with the call's outcome. */
  private static Mono<Outcome> traced(final Span span, final Function<Span, Mono<Outcome>> call) {
    return Mono.defer(() -> call.apply(span))
        .doOnNext(outcome -> DispatchTrace.served(span, outcome))
        .doOnError(error -> DispatchTrace.failed(span, error))
        .doOnCancel(span::end);
  }

  private void retried(final ProviderTarget target, final Span span) {
    metrics.retried(target);
    DispatchTrace.retried(span);
  }

  private void fellBack(final String model, final String reason, final DispatchTrace trace) {
    metrics.fellBack(model, reason);
    trace.fellBack(model, reason);
  }

  /**
   * Publishes the end of a request: for a stream, first the closing chunk, and only once every
   * chunk is acknowledged the response, so a relay never sees the response before the chunks it
   * ends. Sends run off the event loop, since a producer send may block on metadata.
   */
  private Mono<Void> publish(
      final RoutedRequest routed,
      final Outcome outcome,
      final Optional<ChunkStream> chunks,
      final DispatchTrace trace) {
    final Settled settled = settle(routed, outcome);
    final ChatResponse response = settled.response();
    trace.replied(response);
    final Mono<Void> streamClosed =
        chunks
            .map(
                stream ->
                    offloaded(
                        () -> {
                          stream.last(response.getFinishReason(), response.getUsage(), response.getModel());
                          return stream.acknowledged();
                        }))
            .orElse(Mono.empty());
    return streamClosed.then(offloaded(() -> sendResponseAndUsage(routed, settled)));
  }

  private CompletableFuture<Void> sendResponseAndUsage(
      final RoutedRequest routed, final Settled settled) {
    final CompletableFuture<Void> response = publisher.response(settled.response())
        .exceptionallyCompose(error -> unpublishable(routed, error));
    return settled.usage().isEmpty()
        ? response
        : CompletableFuture.allOf(response, publisher.usage(settled.usage().get()));
  }

  /**
   * A response the bus cannot carry (larger than {@code max.request.size}, see BusLimits) is
   * replaced by an error reply, so the caller hears why and the partition moves on, and the routed
   * request goes to its dead-letter topic with the reason; the usage is still published (the
   * provider call was made). Any other failure stays fatal.
   */
  static final String RESPONSE_TOO_LARGE = "response_too_large";

  private CompletableFuture<Void> unpublishable(final RoutedRequest routed, final Throwable error) {
    final Throwable cause = error instanceof java.util.concurrent.CompletionException
        && error.getCause() != null ? error.getCause() : error;
    if (!(cause instanceof RecordTooLargeException)) {
      return CompletableFuture.failedFuture(error);
    }
    log.warn("{}: response too large for the bus, replying with an error: {}",
        routed.getRequest().getCorrelationId(), cause.toString());
    final CompletableFuture<Void> letter =
        publisher.deadLetter(routed, "could not produce the response: " + cause);
    final CompletableFuture<Void> reply = publisher.response(factory.failed(routed,
        ErrorInfo.newBuilder()
            .setType(RESPONSE_TOO_LARGE)
            .setHttpStatus(502)
            .setMessage("The model's reply is larger than the gateway can carry.")
            .build()));
    return CompletableFuture.allOf(letter, reply);
  }

  private Settled settle(final RoutedRequest routed, final Outcome outcome) {
    final String correlationId = routed.getRequest().getCorrelationId();
    final boolean batch = isBatch(routed.getRequest());
    if (outcome instanceof Abandoned abandoned) {
      return settleAbandoned(routed, abandoned, batch);
    }
    if (outcome instanceof Failed failed) {
      log.info("{} failed: {} ({})", correlationId, failed.error().getType(), failed.error().getMessage());
      metrics.ended(String.valueOf(failed.error().getType()).toLowerCase(Locale.ROOT), batch);
      return new Settled(factory.failed(routed, failed.error()), Optional.empty());
    }
    final Served served = (Served) outcome;
    final ProviderTarget target = served.target();
    final Usage usage = usage(routed, served);
    final boolean interrupted = served.interruption().isPresent();
    metrics.ended(interrupted ? "interrupted" : "served", batch);
    served.interruption().ifPresent(failure -> log.warn(
        "{} stream from {} interrupted: {}", correlationId, target.catalogueId(), failure.getMessage()));
    final ChatResponse response =
        interrupted
            ? factory.interrupted(routed, target, served.reply(), usage,
                ChainErrors.interrupted(served.interruption().get(), correlationId))
            : factory.served(routed, target, served.reply(), usage);
    log.debug("{} served by {}", correlationId, target.catalogueId());
    return new Settled(
        response,
        spent(usage) ? Optional.of(factory.usage(routed, target, usage, interrupted)) : Optional.empty());
  }

  /**
   * An abandoned request ends in an error reply; what a stopped stream had delivered is booked as
   * cancelled usage (the provider's figures when it sent them, else estimated).
   */
  private Settled settleAbandoned(final RoutedRequest routed, final Abandoned abandoned, final boolean batch) {
    log.info("{} abandoned: {}", routed.getRequest().getCorrelationId(), abandoned.reason());
    metrics.ended(abandoned.reason(), batch);
    final ErrorInfo error = AbandonedWork.error(abandoned.reason());
    if (abandoned.partial().isEmpty()) {
      return new Settled(factory.failed(routed, error), Optional.empty());
    }
    final Served served = abandoned.partial().get();
    final Usage usage = usage(routed, served);
    final ChatResponse response = factory.interrupted(routed, served.target(), served.reply(), usage, error);
    return new Settled(
        response,
        spent(usage)
            ? Optional.of(AbandonedWork.cancelled(factory.usage(routed, served.target(), usage, true)))
            : Optional.empty());
  }

  /** The target with this request's key; fails with NO_CREDENTIALS for an unknown key reference. */
  private ProviderTarget withKey(final ChatRequest request, final ProviderTarget target) {
    return target.withApiKey(policy.keys().resolve(request.getTenant(), request.getKeyRef(), target));
  }

  private static Map<String, String> params(final RoutedRequest routed) {
    return routed.getDecision().getParams();
  }

  private static boolean isBatch(final ChatRequest request) {
    return request.getBatchId() != null;
  }

  private static Mono<Void> offloaded(final Supplier<CompletableFuture<Void>> sends) {
    return Mono.defer(() -> Mono.fromFuture(sends.get())).subscribeOn(Schedulers.boundedElastic());
  }

  /** The provider's usage figures, else an estimate from the request and the reply. */
  private static Usage usage(final RoutedRequest routed, final Served served) {
    return served.reply().usage().orElseGet(() -> UsageEstimator.estimate(routed.getRequest(), served.reply()));
  }

  private static boolean spent(final Usage usage) {
    return usage.getInputTokens() + usage.getOutputTokens() > 0;
  }

  /** What a request ends with: its response and, when tokens were spent, its usage. */
  private record Settled(ChatResponse response, Optional<UsageEvent> usage) {}
}
