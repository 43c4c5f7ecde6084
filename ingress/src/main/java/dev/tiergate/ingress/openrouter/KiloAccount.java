package dev.tiergate.ingress.openrouter;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.http.HandlerContext;
import dev.tiergate.ingress.http.HttpReplies;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.OptionalLong;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The calls a Kilo client makes when it signs in: {@code GET /api/profile} (the key's tenant as the
 * user, no organisations), {@code GET /api/profile/balance} (what the tenant may still spend) and
 * {@code GET /api/defaults} (the virtual models it should preselect).
 *
 * <p>The balance is what the tenant's {@link TenantBalances} say it may still spend.
 */
public final class KiloAccount {

  static final String DEFAULT_MODEL = "kilo-auto/balanced";
  static final String DEFAULT_FREE_MODEL = "kilo-auto/free";
  /**
   * The balance reported when no budget limits the tenant. Kilo clients treat a balance of zero
   * (or none) as "out of credits", so no limit reads as a large positive amount.
   */
  static final long UNLIMITED_MICROS = 1_000_000L * 1_000_000L;
  /** Profiles need an e-mail; a tenant has none, so it gets one in the reserved .invalid domain. */
  static final String EMAIL_DOMAIN = "@tiergate.invalid";

  private final HandlerContext context;
  private final TenantBalances balances;

  public KiloAccount(final HandlerContext context, final TenantBalances balances) {
    this.context = Objects.requireNonNull(context, "context");
    this.balances = Objects.requireNonNull(balances, "balances");
  }

  /** {@code GET /api/profile}: both shapes Kilo's clients read (top-level and under {@code user}). */
  public Publisher<Void> profile(final HttpServerRequest request, final HttpServerResponse response) {
    return HttpReplies.authenticated(context.keys(), request.requestHeaders()::get, response,
        context.errors(), caller -> profile(caller, response));
  }

  private Publisher<Void> profile(final Caller caller, final HttpServerResponse response) {
    final ObjectNode root = JsonNodeFactory.instance.objectNode();
    final String email = caller.tenant() + EMAIL_DOMAIN;
    root.put("id", caller.tenant());
    root.put("name", caller.tenant());
    root.put("email", email);
    final ObjectNode user = root.putObject("user");
    user.put("id", caller.tenant());
    user.put("name", caller.tenant());
    user.put("email", email);
    user.putNull("image");
    root.putArray("organizations");
    return HttpReplies.send(response, HttpResponseStatus.OK, root.toString());
  }

  /** {@code GET /api/profile/balance}: dollars left under the tightest tenant-wide budget. */
  public Publisher<Void> balance(final HttpServerRequest request, final HttpServerResponse response) {
    return HttpReplies.authenticated(context.keys(), request.requestHeaders()::get, response,
        context.errors(), caller -> balance(caller, response));
  }

  private Publisher<Void> balance(final Caller caller, final HttpServerResponse response) {
    if (!balances.isCaughtUp()) {
      final GatewayException notReady = GatewayException.serverError(
          503, "not_ready", "The gateway has not read its budgets yet; retry shortly.");
      return HttpReplies.error(response, notReady, null, context.errors());
    }
    final OptionalLong remaining = balances.remainingMicros(caller.tenant());
    final long micros = remaining.orElse(UNLIMITED_MICROS);
    final ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("balance", BigDecimal.valueOf(micros, 6));
    root.put("isDepleted", micros <= 0);
    root.put("limited", remaining.isPresent());
    return HttpReplies.send(response, HttpResponseStatus.OK, root.toString());
  }

  /** {@code GET /api/defaults} and {@code /api/organizations/{id}/defaults}. */
  public Publisher<Void> defaults(final HttpServerRequest request, final HttpServerResponse response) {
    final ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("defaultModel", DEFAULT_MODEL);
    root.put("defaultFreeModel", DEFAULT_FREE_MODEL);
    return HttpReplies.send(response, HttpResponseStatus.OK, root.toString());
  }
}
