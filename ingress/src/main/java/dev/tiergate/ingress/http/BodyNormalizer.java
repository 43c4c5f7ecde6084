package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ToolDefinition;
import java.time.Clock;
import java.util.Objects;

/**
 * What every dialect's {@link Normalizer} starts with: the body is a JSON object naming a model,
 * and the request gets the caller's and the signals' fields, the dialect's API kind and the time it
 * was received. A subclass reads the rest of its body, in the order its errors should be found.
 */
public abstract class BodyNormalizer implements Normalizer {

  private final Clock clock;
  private final ApiKind apiKind;

  protected BodyNormalizer(final Clock clock, final ApiKind apiKind) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.apiKind = Objects.requireNonNull(apiKind, "apiKind");
  }

  @Override
  public final ChatRequest normalize(
      final JsonNode body, final Caller caller, final HeaderLookup headers) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(headers, "headers");
    return build(body, model(body), caller, headers);
  }

  /**
   * The request for a body that is an object naming {@code model}.
   *
   * @throws GatewayException 400 for anything else the caller got wrong
   */
  protected abstract ChatRequest build(
      JsonNode body, String model, Caller caller, HeaderLookup headers);

  /**
   * A request with everything the caller and the {@link Signals} decide (from the headers, else
   * the body's {@code metadata}); the subclass adds what its body says.
   *
   * @throws GatewayException 400 for a virtual model naming no tier or a caller string breaking the
   *     rule, 403 for a tier the key may not use
   */
  protected final ChatRequest.Builder newRequest(
      final JsonNode body, final String model, final Caller caller, final HeaderLookup headers) {
    return Signals.resolve(new Signals.Sources(headers, body.get("metadata")), model, caller)
        .newRequest(caller, apiKind, clock.instant());
  }

  /**
   * A function tool as OpenAI's APIs write it: its name, description and JSON-schema {@code
   * parameters} ({@code {}} when it has none).
   *
   * @param param the function's parameter name, for the 400 of a missing name
   */
  public static ToolDefinition functionTool(final JsonNode function, final String param) {
    final String parameters = JsonFields.json(function, "parameters");
    return ToolDefinition.newBuilder()
        .setName(JsonFields.requiredText(function, "name", param + ".name"))
        .setDescription(JsonFields.text(function, "description", param + ".description"))
        .setParametersJson(parameters == null ? "{}" : parameters)
        .build();
  }

  /**
   * The model the body names.
   *
   * @throws GatewayException 400 when the body is not a JSON object or names no model
   */
  public static String model(final JsonNode body) {
    if (!body.isObject()) {
      throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
    }
    return JsonFields.requiredText(body, "model", "model");
  }
}
