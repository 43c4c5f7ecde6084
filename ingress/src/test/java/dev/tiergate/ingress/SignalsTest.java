package dev.tiergate.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.runtime.Tier;
import java.util.Map;
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
