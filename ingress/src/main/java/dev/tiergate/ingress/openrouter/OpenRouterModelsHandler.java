package dev.tiergate.ingress.openrouter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.http.ChatHandler;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.runtime.LiveTable;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /api/openrouter/models}: Tiergate's tiers as {@code kilo-auto/<tier>} and the catalogue,
 * in OpenRouter's list shape. Clients drop models whose {@code supported_parameters} lack {@code
 * tools}, so a tier lists only what every primary model of its routing rules supports (read from
 * {@code tiergate.routes}), and a catalogue model only its own capabilities. Kilo's extensions:
 * the tiers carry {@code preferredIndex} (listed first, in tier order), every entry {@code isFree}
 * (the free tier, or a model with no price). Public, like OpenRouter's.
 */
public final class OpenRouterModelsHandler
    implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

  static final String TIER_PREFIX = "kilo-auto/";
  static final List<String> BASE_PARAMETERS =
      List.of("max_tokens", "temperature", "top_p", "stop", "seed", "response_format");

  private final LiveTable<ModelSpec> models;
  private final LiveTable<Route> routes;
  private final ObjectMapper mapper;

  public OpenRouterModelsHandler(
      final LiveTable<ModelSpec> models, final LiveTable<Route> routes, final ObjectMapper mapper) {
    this.models = Objects.requireNonNull(models, "models");
    this.routes = Objects.requireNonNull(routes, "routes");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  @Override
  public Publisher<Void> apply(final HttpServerRequest request, final HttpServerResponse response) {
    return HttpReplies.send(response, HttpResponseStatus.OK, render());
  }

  String render() {
    final ObjectNode root = mapper.createObjectNode();
    final ArrayNode data = root.putArray("data");
    for (final Tier tier : Tier.values()) {
      final ObjectNode entry = data.addObject();
      tierEntry(tier, entry);
      entry.put("preferredIndex", tier.ordinal());
      entry.put("isFree", tier == Tier.FREE);
    }
    // A chat-completions list: embeddings models serve only POST /v1/embeddings.
    models.snapshot().values().stream()
        .filter(OpenRouterModelsHandler::isChatModel)
        .sorted(Comparator.comparing(spec -> spec.getId()))
        .forEach(spec -> modelEntry(spec, data.addObject()));
    return root.toString();
  }

  private void modelEntry(final ModelSpec spec, final ObjectNode node) {
    describe(node, spec.getId(), spec.getId(), spec.getProvider() + " model " + spec.getUpstreamModel(),
        spec.getContextWindow(), Set.copyOf(spec.getCapabilities()), spec.getFamily());
    pricing(node, Optional.of(spec));
    node.put("isFree", spec.getInputMicrosPerMillion() == 0 && spec.getOutputMicrosPerMillion() == 0);
  }

  /** A tier: capabilities shared by the primary model of each of its rules; the default's price. */
  private void tierEntry(final Tier tier, final ObjectNode node) {
    final List<ModelSpec> primaries = primaries(tier);
    final Set<String> capabilities = new LinkedHashSet<>();
    if (!primaries.isEmpty()) {
      capabilities.addAll(primaries.get(0).getCapabilities());
      primaries.forEach(spec -> capabilities.retainAll(spec.getCapabilities()));
    }
    final int context = primaries.stream().mapToInt(ModelSpec::getContextWindow).min().orElse(0);
    describe(node, TIER_PREFIX + tier.id(), "Tiergate " + tier.id() + " tier",
        "Routed by Tiergate: the agent's mode picks the model of the " + tier.id() + " tier.",
        context, capabilities, "tiergate");
    pricing(node, defaultPrimary(tier));
  }

  private List<ModelSpec> primaries(final Tier tier) {
    final List<ModelSpec> result = new ArrayList<>();
    routes.snapshot().forEach(
        (key, route) -> {
          if (key.startsWith(tier.id() + "/") && !route.getModels().isEmpty()) {
            models.get(route.getModels().get(0)).filter(OpenRouterModelsHandler::isChatModel)
                .ifPresent(result::add);
          }
        });
    return result;
  }

  private static boolean isChatModel(final ModelSpec spec) {
    return !spec.getCapabilities().contains(ChatHandler.EMBEDDINGS_CAPABILITY);
  }

  private Optional<ModelSpec> defaultPrimary(final Tier tier) {
    return routes.get(tier.id() + "/*")
        .filter(route -> !route.getModels().isEmpty())
        .flatMap(route -> models.get(route.getModels().get(0)));
  }

  private void describe(
      final ObjectNode node, final String id, final String name, final String description,
      final int contextLength, final Set<String> capabilities, final String tokenizer) {
    node.put("id", id);
    node.put("canonical_slug", id);
    node.put("name", name);
    node.put("created", 0);
    node.put("description", description);
    node.put("context_length", contextLength);
    final ObjectNode architecture = node.putObject("architecture");
    final boolean images = capabilities.contains("images");
    architecture.put("modality", images ? "text+image->text" : "text->text");
    final ArrayNode input = architecture.putArray("input_modalities").add("text");
    if (images) {
      input.add("image");
    }
    architecture.putArray("output_modalities").add("text");
    architecture.put("tokenizer", tokenizer);
    architecture.putNull("instruct_type");
    final ObjectNode top = node.putObject("top_provider");
    top.put("context_length", contextLength);
    top.putNull("max_completion_tokens");
    top.put("is_moderated", false);
    node.putNull("per_request_limits");
    final ArrayNode parameters = node.putArray("supported_parameters");
    supportedParameters(capabilities).forEach(parameters::add);
  }

  static List<String> supportedParameters(final Set<String> capabilities) {
    final List<String> parameters = new ArrayList<>(BASE_PARAMETERS);
    if (capabilities.contains("tools")) {
      parameters.add("tools");
      parameters.add("tool_choice");
    }
    if (capabilities.contains("reasoning")) {
      parameters.add("reasoning");
      parameters.add("include_reasoning");
    }
    return parameters;
  }

  /**
   * Dollars per token as decimal strings, OpenRouter's convention; zero when unknown. Cache writes
   * have no price of their own here: they are billed as input tokens.
   */
  private static void pricing(final ObjectNode node, final Optional<ModelSpec> spec) {
    final ObjectNode pricing = node.putObject("pricing");
    pricing.put("prompt", UsageCost.dollarsPerToken(spec.map(ModelSpec::getInputMicrosPerMillion).orElse(0L)));
    pricing.put(
        "completion", UsageCost.dollarsPerToken(spec.map(ModelSpec::getOutputMicrosPerMillion).orElse(0L)));
    pricing.put("request", "0");
    pricing.put("image", "0");
    pricing.put("web_search", "0");
    pricing.put("internal_reasoning", "0");
    pricing.put("input_cache_write", pricing.get("prompt").asText());
    pricing.put(
        "input_cache_read",
        UsageCost.dollarsPerToken(spec.map(ModelSpec::getCachedInputMicrosPerMillion).orElse(0L)));
  }
}
