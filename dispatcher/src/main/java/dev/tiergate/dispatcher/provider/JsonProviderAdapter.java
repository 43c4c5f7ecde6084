package dev.tiergate.dispatcher.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.SamplingParams;
import dev.tiergate.schemas.ToolDefinition;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every JSON provider API shares: its format, the {@link AdapterJson} that maps reading and
 * writing failures to the right {@link ProviderFailure}, the checks on a call's arguments and the
 * provider's message in an error body. Subclasses translate the request and the answer.
 */
public abstract class JsonProviderAdapter implements ProviderAdapter {

  /** The routing decision parameter that sets a default reasoning effort. */
  public static final String REASONING_EFFORT_PARAM = "reasoning_effort";

  protected final AdapterJson json;
  private final ProviderFormat format;

  protected JsonProviderAdapter(final ObjectMapper mapper, final ProviderFormat format) {
    this.json = new AdapterJson(mapper);
    this.format = Objects.requireNonNull(format, "format");
  }

  @Override
  public final ProviderFormat format() {
    return format;
  }

  @Override
  public final ProviderRequest buildRequest(
      final ChatRequest request,
      final String upstreamModel,
      final Map<String, String> routeParams,
      final boolean stream) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(upstreamModel, "upstreamModel");
    Objects.requireNonNull(routeParams, "routeParams");
    return chatRequest(new ChatCall(request, upstreamModel, routeParams, stream));
  }

  /** The chat call, its arguments checked; see {@link #buildRequest}. */
  protected abstract ProviderRequest chatRequest(ChatCall call);

  /**
   * Puts the request's tools, when it has any, into the array {@code tools} adds to the body, each
   * written by {@code tool} into an object of its own; then its tool choice, when it set one.
   */
  protected static void putTools(
      final ChatRequest request,
      final Supplier<ArrayNode> tools,
      final BiConsumer<ObjectNode, ToolDefinition> tool,
      final Consumer<String> toolChoice) {
    if (!request.getTools().isEmpty()) {
      final ArrayNode array = tools.get();
      for (final ToolDefinition definition : request.getTools()) {
        tool.accept(array.addObject(), definition);
      }
    }
    if (request.getToolChoiceJson() != null) {
      toolChoice.accept(request.getToolChoiceJson());
    }
  }

  /**
   * One chat call's arguments, as {@link #buildRequest} got them.
   *
   * @param routeParams the routing decision's parameters for the model (e.g. a default effort)
   */
  protected record ChatCall(
      ChatRequest request, String upstreamModel, Map<String, String> routeParams, boolean stream) {

    public SamplingParams sampling() {
      return request.getSampling();
    }

    /** The caller's reasoning effort, else the one the route sets, else none. */
    public Optional<String> reasoningEffort() {
      return Optional.ofNullable(sampling().getReasoningEffort())
          .or(() -> Optional.ofNullable(routeParams.get(REASONING_EFFORT_PARAM)));
    }
  }

  @Override
  public final String errorMessage(final byte[] body) {
    return json.errorMessage(body);
  }
}
