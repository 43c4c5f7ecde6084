package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.Ids;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.ChatRequest;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the caller told us about the request besides the chat itself: the agent's mode, the product
 * feature, the session, and the tier or explicit model it asked for. Kilo Code's header and model
 * spellings are accepted beside Tiergate's own.
 *
 * @param mode lower-case mode (plan, code, debug...), or null when the caller sent none
 * @param feature product feature to book spend to, or null
 * @param sessionId the caller's session or task id, else a fresh {@code sess_} id
 * @param tier the tier from a virtual model id, else the caller's default tier
 * @param requestedModel an explicit model id (routing bypass), or null for a virtual model
 * @param parentSessionId the parent agent's session when a sub-agent calls, or null
 * @param projectId the caller's project, or null
 * @param editorName the client editor or tool, or null
 * @param machineId the client machine (Kilo's {@code x-kilocode-machineid}), or null
 * @param organizationId the caller's organisation (Kilo's {@code x-kilocode-organizationid}), or
 *     null
 * @param clientRequestId the client's own id of the request (Kilo's {@code x-kilo-request}), or
 *     null
 */
public record Signals(
    String mode,
    String feature,
    String sessionId,
    Tier tier,
    String requestedModel,
    String parentSessionId,
    String projectId,
    String editorName,
    String machineId,
    String organizationId,
    String clientRequestId) {

  public static final String MODE_HEADER = "x-tiergate-mode";
  public static final String KILO_MODE_HEADER = "x-kilocode-mode";
  public static final String FEATURE_HEADER = "x-tiergate-feature";
  public static final String KILO_FEATURE_HEADER = "x-kilocode-feature";
  public static final String SESSION_HEADER = "x-tiergate-session";
  public static final String KILO_TASK_HEADER = "x-kilocode-taskid";
  /** The session id of Kilo's newer clients (the CLI and the extension built on it). */
  public static final String KILO_SESSION_HEADER = "x-kilo-session";
  public static final String KILO_REQUEST_HEADER = "x-kilo-request";
  public static final String KILO_MACHINE_HEADER = "x-kilocode-machineid";
  public static final String KILO_ORGANIZATION_HEADER = "x-kilocode-organizationid";
  public static final String PARENT_SESSION_HEADER = "x-tiergate-parent-session";
  public static final String KILO_PARENT_TASK_HEADER = "x-kilocode-parent-taskid";
  public static final String PROJECT_HEADER = "x-tiergate-project";
  public static final String KILO_PROJECT_HEADER = "x-kilocode-projectid";
  public static final String KILO_EDITOR_HEADER = "x-kilocode-editorname";

  private static final String[] VIRTUAL_MODELS = {"auto", "kilo-auto"};

  public Signals {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(tier, "tier");
  }

  /**
   * A request with everything the caller and these signals decide, the same for every API: a fresh
   * correlation id, the caller's tenant, key and limits, and the signals; the dialect adds the
   * messages, tools and sampling of its body.
   */
  public ChatRequest.Builder newRequest(
      final Caller caller, final ApiKind apiKind, final Instant receivedAt) {
    Objects.requireNonNull(caller, "caller");
    return ChatRequest.newBuilder()
        .setCorrelationId(Ids.newRequestId())
        .setSessionId(sessionId)
        .setTenant(caller.tenant())
        .setKeyId(caller.keyId())
        .setAllowedTiers(caller.allowedTierIds())
        .setAllowedModels(List.copyOf(caller.allowedModels()))
        .setStrongShare(caller.strongShare())
        .setMode(mode)
        .setTier(tier.id())
        .setFeature(feature)
        .setApiKind(Objects.requireNonNull(apiKind, "apiKind"))
        .setRequestedModel(requestedModel)
        .setParentSessionId(parentSessionId)
        .setProjectId(projectId)
        .setEditorName(editorName)
        .setMachineId(machineId)
        .setOrganizationId(organizationId)
        .setClientRequestId(clientRequestId)
        .setReceivedAt(Objects.requireNonNull(receivedAt, "receivedAt"));
  }

  /**
   * Where a request's signals are read from: its headers, else its body's {@code metadata}
   * ({@code mode}, {@code feature}, {@code session_id}... string entries), which is the path for
   * clients that cannot set headers.
   *
   * @param metadata the request's {@code metadata} object, or null
   */
  public record Sources(HeaderLookup headers, JsonNode metadata) {

    public Sources {
      Objects.requireNonNull(headers, "headers");
    }

    /**
     * The first of the headers present, else the metadata's non-blank string entry {@code name},
     * else null; checked by {@link CallerStrings} under that name.
     */
    String get(final String name, final String... headerNames) {
      return CallerStrings.checked(name, headerOrMetadata(headers.first(headerNames), name));
    }

    private String headerOrMetadata(final String header, final String name) {
      if (header != null || metadata == null || !metadata.isObject()) {
        return header;
      }
      final JsonNode value = metadata.get(name);
      return value != null && value.isTextual() && !value.asText().isBlank()
          ? value.asText().trim()
          : null;
    }
  }

  /** Resolves the signals of one request that carries no {@code metadata}. */
  public static Signals resolve(
      final HeaderLookup headers, final String model, final Caller caller) {
    return resolve(new Sources(headers, null), model, caller);
  }

  /**
   * Resolves the signals of one request; headers win over the body's {@code metadata}.
   *
   * @throws GatewayException 400 when the model names a virtual tier that does not exist or a caller
   *     string breaks the {@link CallerStrings} rule, 403 when
   *     the caller's key may not use the tier
   */
  public static Signals resolve(final Sources sources, final String model, final Caller caller) {
    Objects.requireNonNull(sources, "sources");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(caller, "caller");
    final HeaderLookup headers = sources.headers();
    final String mode = sources.get("mode", MODE_HEADER, KILO_MODE_HEADER);
    final String session =
        sources.get("session_id", SESSION_HEADER, KILO_TASK_HEADER, KILO_SESSION_HEADER);
    final String trimmedModel = model.trim();
    final Tier virtualTier = virtualTier(trimmedModel, caller);
    final Tier tier = virtualTier == null ? caller.defaultTier() : virtualTier;
    if (!caller.allows(tier)) {
      throw GatewayException.forbiddenTier(tier.id());
    }
    return new Signals(
        mode == null ? null : mode.toLowerCase(Locale.ROOT),
        sources.get("feature", FEATURE_HEADER, KILO_FEATURE_HEADER),
        session == null ? Ids.newSessionId() : session,
        tier,
        virtualTier == null ? trimmedModel : null,
        sources.get("parent_session_id", PARENT_SESSION_HEADER, KILO_PARENT_TASK_HEADER),
        sources.get("project_id", PROJECT_HEADER, KILO_PROJECT_HEADER),
        CallerStrings.checked("editor", headers.first(KILO_EDITOR_HEADER)),
        CallerStrings.checked("machine_id", headers.first(KILO_MACHINE_HEADER)),
        CallerStrings.checked("organization_id", headers.first(KILO_ORGANIZATION_HEADER)),
        CallerStrings.checked("client_request_id", headers.first(KILO_REQUEST_HEADER)));
  }

  /** The tier a virtual model id selects, or null when the id is not virtual. */
  private static Tier virtualTier(final String model, final Caller caller) {
    final String lower = model.toLowerCase(Locale.ROOT);
    for (final String virtual : VIRTUAL_MODELS) {
      if (lower.equals(virtual)) {
        return caller.defaultTier();
      }
      if (lower.startsWith(virtual + "/")) {
        final String tier = lower.substring(virtual.length() + 1);
        return Tier.parse(tier)
            .orElseThrow(
                () ->
                    GatewayException.invalidRequest(
                        "model",
                        "Unknown tier '" + tier + "'; use " + virtual
                            + "/frontier, /balanced, /free or /small."));
      }
    }
    return null;
  }
}
