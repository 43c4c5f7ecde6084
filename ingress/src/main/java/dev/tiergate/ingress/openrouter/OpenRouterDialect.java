package dev.tiergate.ingress.openrouter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.Normalizer;
import dev.tiergate.ingress.http.NormalizingDialect;
import dev.tiergate.ingress.http.ReasoningBudget;
import dev.tiergate.ingress.openai.OpenAiChatNormalizer;
import dev.tiergate.ingress.openai.OpenAiJson;
import dev.tiergate.ingress.openai.OpenAiStream;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.SamplingParams;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;

/**
 * OpenAI Chat Completions as OpenRouter extends it, served under {@code /api/openrouter/} for Kilo
 * Code and the agents that speak OpenRouter's dialect: {@code reasoning} parameters in, {@code
 * reasoning}/{@code reasoning_details} out, and {@code usage: {"include": true}} for a final usage
 * chunk with the call's cost. Everything else is the OpenAI dialect.
 */
public final class OpenRouterDialect extends NormalizingDialect {

  static final Set<String> EFFORTS = Set.of("minimal", "low", "medium", "high", "xhigh");

  private final ObjectMapper mapper;
  private final LiveTable<ModelSpec> models;

  public OpenRouterDialect(
      final OpenAiChatNormalizer normalizer,
      final ObjectMapper mapper,
      final LiveTable<ModelSpec> models) {
    super(withReasoning(Objects.requireNonNull(normalizer, "normalizer")),
        new OpenAiJson(mapper)::error);
    this.mapper = mapper;
    this.models = Objects.requireNonNull(models, "models");
  }

  /** The OpenAI request, with the effort OpenRouter's {@code reasoning} object asks for. */
  private static Normalizer withReasoning(final OpenAiChatNormalizer normalizer) {
    return (body, caller, headers) -> {
      final ChatRequest request = normalizer.normalize(body, caller, headers);
      final String effort = reasoningEffort(body.get("reasoning"));
      if (effort == null) {
        return request;
      }
      final SamplingParams sampling =
          SamplingParams.newBuilder(request.getSampling()).setReasoningEffort(effort).build();
      return ChatRequest.newBuilder(request).setSampling(sampling).build();
    };
  }

  /**
   * OpenRouter's {@code reasoning} object as an effort: {@code effort} as given, a {@code
   * max_tokens} budget by size, {@code enabled: false} as minimal; null when it says nothing.
   */
  static String reasoningEffort(final JsonNode reasoning) {
    if (!JsonFields.objectPresent(reasoning, "reasoning")) {
      return null;
    }
    final String effort = JsonFields.text(reasoning, "effort", "reasoning.effort");
    if (effort != null) {
      final String lower = effort.toLowerCase(Locale.ROOT);
      if (!EFFORTS.contains(lower)) {
        throw GatewayException.invalidRequest(
            "reasoning.effort", "'reasoning.effort' must be one of " + EFFORTS + ".");
      }
      return lower;
    }
    final Long budget = JsonFields.integer(reasoning, "max_tokens");
    if (budget != null) {
      return ReasoningBudget.effort(budget);
    }
    if (JsonFields.present(reasoning, "enabled") && !JsonFields.bool(reasoning, "enabled")) {
      return "minimal";
    }
    return null;
  }

  /** {@code usage: {"include": true}} or OpenAI's {@code stream_options.include_usage}. */
  static boolean includeUsage(final JsonNode body) {
    final JsonNode usage = body.get("usage");
    final boolean asked = usage != null && usage.isObject() && JsonFields.bool(usage, "include");
    return asked || OpenAiChatNormalizer.includeUsage(body);
  }

  static boolean excludeReasoning(final JsonNode body) {
    final JsonNode reasoning = body.get("reasoning");
    return reasoning != null && reasoning.isObject() && JsonFields.bool(reasoning, "exclude");
  }

  private OpenAiJson json(final JsonNode body) {
    return new OpenAiJson(mapper, new OpenRouterExtensions(models, excludeReasoning(body)));
  }

  @Override
  public String completion(
      final ChatRequest request, final JsonNode body, final ChatResponse response) {
    return json(body).completion(response);
  }

  @Override
  public Flux<String> stream(
      final ChatRequest request, final JsonNode body, final Flux<ReplyEvent> events) {
    return OpenAiStream.of(json(body), request, includeUsage(body)).render(events);
  }
}
