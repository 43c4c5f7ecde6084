package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ModelSpec;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code GET /v1/models}: the virtual routing models the caller's key may use ({@code auto} is its
 * default tier) followed by the catalogue from {@code tiergate.models} with prices. OpenAI's list
 * shape, or Anthropic's when the request carries {@code anthropic-version}.
 */
public final class ModelsHandler implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

  static final String OWNER = "tiergate";
  private static final String ANTHROPIC_VERSION_HEADER = "anthropic-version";

  private final HandlerContext context;
  private final ApiDialect anthropic;

  /** @param anthropic the errors' shape for a request that carries {@code anthropic-version} */
  public ModelsHandler(final HandlerContext context, final ApiDialect anthropic) {
    this.context = Objects.requireNonNull(context, "context");
    this.anthropic = Objects.requireNonNull(anthropic, "anthropic");
  }

  @Override
  public Publisher<Void> apply(final HttpServerRequest request, final HttpServerResponse response) {
    final HeaderLookup headers = request.requestHeaders()::get;
    final boolean anthropicShape = headers.get(ANTHROPIC_VERSION_HEADER) != null;
    return HttpReplies.authenticated(
        context.keys(), headers, response, anthropicShape ? anthropic : context.errors(),
        caller -> HttpReplies.send(response, HttpResponseStatus.OK, anthropicShape
            ? anthropicList(caller, catalogue()) : openAiList(caller, catalogue())));
  }

  /** The catalogue sorted by id, so the list is stable. */
  List<ModelSpec> catalogue() {
    return context.models().snapshot().values().stream()
        .sorted(Comparator.comparing(spec -> spec.getId()))
        .toList();
  }

  /** Virtual ids the caller may use: {@code auto} first, then {@code auto/<tier>}. */
  static List<String> virtualIds(final Caller caller, final String prefix) {
    final List<String> ids = new java.util.ArrayList<>();
    ids.add(prefix);
    for (final Tier tier : Tier.values()) {
      if (caller.allows(tier)) {
        ids.add(prefix + "/" + tier.id());
      }
    }
    return ids;
  }

  private String openAiList(final Caller caller, final List<ModelSpec> catalogue) {
    final ObjectNode root = context.mapper().createObjectNode().put("object", "list");
    final ArrayNode data = root.putArray("data");
    for (final String id : virtualIds(caller, "auto")) {
      final ObjectNode model = data.addObject();
      model.put("id", id).put("object", "model").put("created", 0).put("owned_by", OWNER);
      model.put("tier", id.equals("auto") ? caller.defaultTier().id() : id.substring(5));
    }
    for (final ModelSpec spec : catalogue) {
      final ObjectNode model = data.addObject();
      model.put("id", spec.getId()).put("object", "model").put("created", 0);
      model.put("owned_by", spec.getProvider());
      model.put("context_window", spec.getContextWindow());
      final ArrayNode capabilities = model.putArray("capabilities");
      spec.getCapabilities().forEach(capabilities::add);
      model.putObject("pricing")
          .put("input_micros_per_million", spec.getInputMicrosPerMillion())
          .put("output_micros_per_million", spec.getOutputMicrosPerMillion())
          .put("cached_input_micros_per_million", spec.getCachedInputMicrosPerMillion());
    }
    return write(root);
  }

  private String anthropicList(final Caller caller, final List<ModelSpec> catalogue) {
    final ObjectNode root = context.mapper().createObjectNode();
    final ArrayNode data = root.putArray("data");
    final List<String> ids = new java.util.ArrayList<>(virtualIds(caller, "auto"));
    catalogue.forEach(spec -> ids.add(spec.getId()));
    for (final String id : ids) {
      data.addObject()
          .put("type", "model")
          .put("id", id)
          .put("display_name", id)
          .put("created_at", "1970-01-01T00:00:00Z");
    }
    root.put("has_more", false);
    root.put("first_id", ids.get(0));
    root.put("last_id", ids.get(ids.size() - 1));
    return write(root);
  }

  private String write(final ObjectNode node) {
    try {
      return context.mapper().writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new java.io.UncheckedIOException("cannot render JSON", e);
    }
  }
}
