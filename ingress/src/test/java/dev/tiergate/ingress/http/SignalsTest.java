package dev.tiergate.ingress.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.ingress.anthropic.AnthropicNormalizer;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.auth.RateLimits;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.openai.OpenAiChatNormalizer;
import dev.tiergate.ingress.openai.OpenAiEmbeddingsNormalizer;
import dev.tiergate.ingress.responses.ResponseStore;
import dev.tiergate.ingress.responses.ResponsesNormalizer;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ChatRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SignalsTest {

  private static final Caller CALLER = new Caller("acme", Tier.BALANCED);

  @Test
  void prefersTiergateHeadersOverKiloHeaders() {
    final Map<String, String> headers =
        Map.of(
            "x-tiergate-mode", "PLAN", "x-kilocode-mode", "code",
            "x-tiergate-feature", "review", "x-kilocode-feature", "chat",
            "x-tiergate-session", "sess_a", "x-kilocode-taskid", "task-1");

    final Signals signals = Signals.resolve(headers::get, "auto", CALLER);

    assertThat(signals.mode()).isEqualTo("plan");
    assertThat(signals.feature()).isEqualTo("review");
    assertThat(signals.sessionId()).isEqualTo("sess_a");
  }

  @Test
  void everyApiNormalizesTheCallerAndKiloSignalsTheSameWay() throws Exception {
    final Caller caller = new Caller("acme", Tier.BALANCED, Set.of(), Set.of("openai/gpt-5"),
        "key_1", RateLimits.NONE, 0.3);
    final Map<String, String> headers = Map.of(
        "x-kilocode-mode", "code", "x-kilocode-machineid", "machine-1",
        "x-kilocode-organizationid", "org-1", "x-kilo-request", "req-1",
        "x-kilocode-projectid", "proj-1");
    final ObjectMapper json = new ObjectMapper();
    final Clock clock = Clock.fixed(Instant.parse("2026-12-06T00:00:00Z"), ZoneOffset.UTC);
    final List<ChatRequest> requests = List.of(
        new OpenAiChatNormalizer(clock).normalize(json.readTree(
            "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
            caller, headers::get),
        new AnthropicNormalizer(clock).normalize(json.readTree(
            "{\"model\":\"auto\",\"max_tokens\":10,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
            caller, headers::get),
        new ResponsesNormalizer(clock).normalize(
            json.readTree("{\"model\":\"auto\",\"input\":\"hi\"}"), caller, headers::get,
            ResponseStore.Conversation.EMPTY),
        new OpenAiEmbeddingsNormalizer(clock).normalize(
            json.readTree("{\"model\":\"auto\",\"input\":\"hi\"}"), caller, headers::get));

    for (final ChatRequest request : requests) {
      assertThat(request.getTenant()).as("%s", request.getApiKind()).isEqualTo("acme");
      assertThat(request.getKeyId()).isEqualTo("key_1");
      assertThat(request.getAllowedModels()).containsExactly("openai/gpt-5");
      assertThat(request.getStrongShare()).isEqualTo(0.3);
      assertThat(request.getMachineId()).as("%s", request.getApiKind()).isEqualTo("machine-1");
      assertThat(request.getOrganizationId()).isEqualTo("org-1");
      assertThat(request.getClientRequestId()).isEqualTo("req-1");
      assertThat(request.getProjectId()).isEqualTo("proj-1");
      assertThat(request.getReceivedAt()).isEqualTo(clock.instant());
    }
  }

  @Test
  void lowerCasesModeWithRootLocale() {
    final Signals signals = Signals.resolve(Map.of("x-kilocode-mode", "DEBUG")::get, "auto", CALLER);

    assertThat(signals.mode()).isEqualTo("debug");
  }

  @Test
  void leavesModeAndFeatureEmptyAndMintsASessionWhenHeadersAreMissing() {
    final Signals first = Signals.resolve(name -> null, "auto", CALLER);
    final Signals second = Signals.resolve(name -> null, "auto", CALLER);

    assertThat(first.mode()).isNull();
    assertThat(first.feature()).isNull();
    assertThat(first.sessionId()).startsWith("sess_").isNotEqualTo(second.sessionId());
  }

  @Test
  void plainAutoUsesTheKeysDefaultTier() {
    assertThat(Signals.resolve(name -> null, "auto", CALLER).tier()).isEqualTo(Tier.BALANCED);
    assertThat(Signals.resolve(name -> null, "kilo-auto", new Caller("t", Tier.FREE)).tier())
        .isEqualTo(Tier.FREE);
  }

  @Test
  void virtualModelsSelectEveryTier() {
    assertThat(Signals.resolve(name -> null, "auto/frontier", CALLER).tier()).isEqualTo(Tier.FRONTIER);
    assertThat(Signals.resolve(name -> null, "auto/free", CALLER).tier()).isEqualTo(Tier.FREE);
    assertThat(Signals.resolve(name -> null, "kilo-auto/small", CALLER).tier()).isEqualTo(Tier.SMALL);
    assertThat(Signals.resolve(name -> null, "Auto/Balanced", CALLER).requestedModel()).isNull();
  }

  @Test
  void explicitModelBypassesVirtualTiers() {
    final Signals signals = Signals.resolve(name -> null, "openai/gpt-5", CALLER);

    assertThat(signals.requestedModel()).isEqualTo("openai/gpt-5");
    assertThat(signals.tier()).isEqualTo(Tier.BALANCED);
  }

  @Test
  void rejectsUnknownVirtualTierWith400() {
    assertThatThrownBy(() -> Signals.resolve(name -> null, "auto/huge", CALLER))
        .isInstanceOfSatisfying(
            GatewayException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(400);
              assertThat(e.param()).isEqualTo("model");
            });
  }
}
