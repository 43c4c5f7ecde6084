package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.router.RoutingOutcome.Unroutable;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.RoutingDecision;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteResolverTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private final Map<String, Route> table = new HashMap<>();
  private final RouteResolver resolver = new RouteResolver("balanced");

  @Test
  void treatsRuleWithEmptyChainAsMissing() {
    table.put("frontier/plan", route("frontier", "plan"));
    table.put("frontier/*", route("frontier", "*", "openai/gpt-5", "openai/gpt-4.1"));

    final RoutingDecision decision = decide(request("frontier", "plan", null));

    assertThat(decision.getRuleKey()).isEqualTo("frontier/*");
  }

  @Test
  void expiredRequestIsRefusedWithDeadlineExceededInsteadOfRouted() {
    table.put("frontier/*", route("frontier", "*", "openai/gpt-5"));
    final ChatRequest request = request("frontier", null, null);
    request.setDeadline(NOW.minusMillis(1));

    final RoutingOutcome outcome = resolver.resolve(request, table::get, NOW);

    assertThat(outcome).isInstanceOf(Unroutable.class);
    assertThat(((Unroutable) outcome).response().getError().getType()).isEqualTo("deadline_exceeded");
    assertThat(((Unroutable) outcome).response().getError().getHttpStatus()).isEqualTo(504);
  }

  @Test
  void requestBeforeItsDeadlineIsRouted() {
    table.put("frontier/*", route("frontier", "*", "openai/gpt-5"));
    final ChatRequest request = request("frontier", null, null);
    request.setDeadline(NOW.plusMillis(1));

    assertThat(resolver.resolve(request, table::get, NOW)).isInstanceOf(RoutingOutcome.Routed.class);
  }

  @Test
  void fallsBackToDefaultTierWhenTierHasNoDefaultRule() {
    table.put("frontier/code", route("frontier", "code", "openai/gpt-5", "openai/gpt-5-mini"));
    table.put("balanced/*", route("balanced", "*", "openai/gpt-5-mini", "openai/gpt-5"));

    final RoutingDecision decision = decide(request("frontier", "plan", null));

    assertThat(decision.getTier()).isEqualTo("balanced");
    assertThat(decision.getRuleKey()).isEqualTo("balanced/*");
    assertThat(decision.getReason())
        .isEqualTo(
            "tier frontier has no rule for this request; fell back to default tier balanced: "
                + "no rule balanced/plan; fell back to balanced/*");
  }

  @Test
  void copiesRouteParamsIntoDecision() {
    final Route rule = route("balanced", "*", "openai/gpt-5-mini", "openai/gpt-5");
    rule.setParams(Map.of("reasoning_effort", "medium"));
    table.put("balanced/*", rule);

    final RoutingDecision decision = decide(request(null, null, null));

    assertThat(decision.getParams()).isEqualTo(Map.of("reasoning_effort", "medium"));
    assertThat(decision.getParams()).isNotSameAs(rule.getParams());
  }

  @Test
  void unroutableWithoutModeNamesNone() {
    final RoutingOutcome outcome = resolver.resolve(request("gold", null, null), table::get, NOW);

    assertThat(outcome).isInstanceOf(Unroutable.class);
    assertThat(((Unroutable) outcome).response().getError().getMessage())
        .isEqualTo("no route for tier 'gold' and mode 'none' (tried gold/*, balanced/*)");
  }

  @Test
  void recognisesExplicitModelsOnly() {
    assertThat(RouteResolver.explicitModel("openai/gpt-5")).contains("openai/gpt-5");
    assertThat(RouteResolver.explicitModel(" local/llama-3.1-8b ")).contains("local/llama-3.1-8b");
    assertThat(RouteResolver.explicitModel("auto/frontier")).isEmpty();
    assertThat(RouteResolver.explicitModel("Kilo-Auto/balanced")).isEmpty();
    assertThat(RouteResolver.explicitModel("gpt-5")).isEmpty();
    assertThat(RouteResolver.explicitModel("openai/")).isEmpty();
    assertThat(RouteResolver.explicitModel("/gpt-5")).isEmpty();
    assertThat(RouteResolver.explicitModel(null)).isEmpty();
  }

  @Test
  void requestTierWinsOverVirtualModelTier() {
    table.put("small/*", route("small", "*", "openai/gpt-5-nano", "openai/gpt-5-mini"));
    table.put("frontier/*", route("frontier", "*", "openai/gpt-5", "openai/gpt-4.1"));

    final RoutingDecision decision = decide(request("small", null, "auto/frontier"));

    assertThat(decision.getRuleKey()).isEqualTo("small/*");
  }

  private RoutingDecision decide(final ChatRequest request) {
    final RoutingOutcome outcome = resolver.resolve(request, table::get, NOW);
    assertThat(outcome).isInstanceOf(Routed.class);
    return ((Routed) outcome).routed().getDecision();
  }

  private static Route route(final String tier, final String mode, final String... models) {
    return Route.newBuilder()
        .setTier(tier)
        .setMode(mode)
        .setModels(List.of(models))
        .setParams(Map.of())
        .build();
  }

  private static ChatRequest request(final String tier, final String mode, final String model) {
    return ChatRequest.newBuilder()
        .setCorrelationId("req_1")
        .setSessionId("sess_1")
        .setTenant("acme")
        .setTier(tier)
        .setMode(mode)
        .setRequestedModel(model)
        .setReceivedAt(NOW)
        .build();
  }
}
