package dev.tiergate.schemas.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SettingsTest {

  private static final Setting<Integer> PORT =
      Setting.integer("TEST_PORT").withDefault(8080).withRange(0, 65_535);
  private static final Setting<String> HOST = Setting.text("TEST_HOST").required();
  private static final Setting<Duration> TIMEOUT = Setting.millis("TEST_TIMEOUT_MS").atLeast(1);

  private static Settings env(final String... pairs) {
    final Map<String, String> env = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return Settings.of(env);
  }

  @Test
  void readsTheValueOrElseTheDefault() {
    assertThat(env("TEST_PORT", " 9090 ").get(PORT)).isEqualTo(9090);
    assertThat(env().get(PORT)).isEqualTo(8080);
  }

  @Test
  void aBlankValueIsUnset() {
    assertThat(env("TEST_PORT", "  ").get(PORT)).isEqualTo(8080);
    assertThat(env("TEST_TIMEOUT_MS", "").find(TIMEOUT)).isEmpty();
  }

  @Test
  void findIgnoresTheDefault() {
    assertThat(env().find(PORT)).isEmpty();
    assertThat(env("TEST_TIMEOUT_MS", "1500").find(TIMEOUT)).contains(Duration.ofMillis(1500));
  }

  @Test
  void aMissingRequiredSettingIsNamed() {
    assertThatThrownBy(() -> env().get(HOST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("missing required setting TEST_HOST");
    assertThat(env("TEST_HOST", " h ").get(HOST)).isEqualTo(" h ");
  }

  @Test
  void anOptionalSettingWithoutDefaultIsReadWithFind() {
    assertThatThrownBy(() -> env().get(TIMEOUT)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anUnparsableValueNamesTheSettingAndTheValue() {
    assertThatThrownBy(() -> env("TEST_PORT", "http").get(PORT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TEST_PORT is not a whole number: http");
    assertThatThrownBy(() -> env("TEST_TIMEOUT_MS", "soon").get(TIMEOUT))
        .hasMessage("TEST_TIMEOUT_MS is not a number of milliseconds: soon");
    final Setting<Duration> iso = Setting.duration("TEST_WAIT");
    assertThatThrownBy(() -> env("TEST_WAIT", "PTsoon").find(iso))
        .hasMessage("TEST_WAIT is not ISO-8601 (PT30S) or milliseconds: PTsoon");
  }

  @Test
  void aValueOutOfRangeNamesTheSettingTheRangeAndTheValue() {
    assertThatThrownBy(() -> env("TEST_PORT", "70000").get(PORT))
        .hasMessage("TEST_PORT is out of range 0 to 65535: 70000");
    assertThatThrownBy(() -> env("TEST_TIMEOUT_MS", "0").find(TIMEOUT))
        .hasMessage("TEST_TIMEOUT_MS must be at least 1: 0");
    final Setting<String> tier = Setting.text("TEST_TIER")
        .withValidation(value -> !value.contains(" "), "must be one word");
    assertThatThrownBy(() -> env("TEST_TIER", "two words").find(tier))
        .hasMessage("TEST_TIER must be one word: two words");
  }

  @Test
  void aPortMayBeMinusOneOnlyWhereItsEndpointCanBeOff() {
    assertThat(env("TEST_P", "0").find(Setting.port("TEST_P"))).contains(0);
    assertThatThrownBy(() -> env("TEST_P", "-1").find(Setting.port("TEST_P")))
        .hasMessage("TEST_P is out of range 0 to 65535: -1");
    assertThat(env("TEST_P", "-1").find(Setting.portOrOff("TEST_P"))).contains(-1);
    assertThatThrownBy(() -> env("TEST_P", "65536").find(Setting.portOrOff("TEST_P")))
        .hasMessage("TEST_P is out of range -1 to 65535: 65536");
  }

  @Test
  void aRangeNeedsANumber() {
    assertThatThrownBy(() -> Setting.text("TEST_TEXT").atLeast(1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void parsesEveryKindOfValue() {
    final Settings settings = env(
        "TEST_LONG", "-1", "TEST_DOUBLE", "0.25", "TEST_ISO", "PT2S", "TEST_ISO_MS", "1500",
        "TEST_DIR", "state");

    assertThat(settings.find(Setting.longInteger("TEST_LONG"))).contains(-1L);
    assertThat(settings.find(Setting.decimal("TEST_DOUBLE"))).contains(0.25);
    assertThat(settings.find(Setting.duration("TEST_ISO"))).contains(Duration.ofSeconds(2));
    assertThat(settings.find(Setting.duration("TEST_ISO_MS"))).contains(Duration.ofMillis(1500));
    assertThat(settings.find(Setting.path("TEST_DIR"))).contains(Path.of("state"));
  }

  @Test
  void onlyTheOppositeWordChangesAFlag() {
    final Setting<Boolean> on = Setting.flag("TEST_ON", true);
    final Setting<Boolean> off = Setting.flag("TEST_OFF", false);

    assertThat(env().get(on)).isTrue();
    assertThat(env("TEST_ON", "FALSE").get(on)).isFalse();
    assertThat(env("TEST_ON", "no").get(on)).isTrue();
    assertThat(env().get(off)).isFalse();
    assertThat(env("TEST_OFF", " True ").get(off)).isTrue();
    assertThat(env("TEST_OFF", "yes").get(off)).isFalse();
  }

  @Test
  void aCustomParserExplainsItsOwnErrorsWithoutRepeatingTheValue() {
    final Setting<Integer> keys = Setting.of("TEST_KEYS", value -> {
      throw new IllegalArgumentException("entry #2: expected key=tenant:tier");
    });
    final Setting<Integer> mode = Setting.of("TEST_MODE", Integer::parseInt).expecting("a mode");

    assertThatThrownBy(() -> env("TEST_KEYS", "secret=oops").find(keys))
        .hasMessage("TEST_KEYS: entry #2: expected key=tenant:tier")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> env("TEST_MODE", "fast").find(mode))
        .hasMessage("TEST_MODE is not a mode: fast");
  }

  @Test
  void aComputedDefaultIsComputedOnEachRead() {
    final AtomicInteger calls = new AtomicInteger();
    final Setting<Integer> id = Setting.integer("TEST_ID")
        .withDefault(calls::incrementAndGet, "a new number per start");

    assertThat(env().get(id)).isEqualTo(1);
    assertThat(env().get(id)).isEqualTo(2);
    assertThat(id.shownDefault()).isEqualTo("a new number per start");
  }

  @Test
  void showsTheDefaultForTheDocumentation() {
    assertThat(PORT.shownDefault()).isEqualTo("`8080`");
    assertThat(HOST.shownDefault()).isEqualTo("required");
    assertThat(TIMEOUT.shownDefault()).isEqualTo("none");
    assertThat(Setting.millis("TEST_MS").withDefault(Duration.ofSeconds(1)).shownDefault())
        .isEqualTo("`1000`");
    assertThat(TIMEOUT.withShownDefault("Streams' own").shownDefault()).isEqualTo("Streams' own");
  }

  @Test
  void aRequiredTextMustNotBeBlank() {
    assertThat(Settings.requireText(" id ", "applicationId")).isEqualTo(" id ");
    assertThatThrownBy(() -> Settings.requireText(" ", "applicationId"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("applicationId must not be blank");
    assertThatThrownBy(() -> Settings.requireText(null, "applicationId"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("applicationId");
  }

  @Test
  void aCountMustBePositiveOrNotNegativeAsAsked() {
    assertThat(Settings.requirePositive(1, "capacity")).isEqualTo(1);
    assertThatThrownBy(() -> Settings.requirePositive(0, "capacity"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be positive: 0");
    assertThat(Settings.requireNotNegative(0, "maxRetries")).isZero();
    assertThatThrownBy(() -> Settings.requireNotNegative(-1, "maxRetries"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRetries must not be negative: -1");
  }

  @Test
  void aGraceMayBeZeroButNotNegative() {
    assertThat(Settings.requireNotNegative(Duration.ZERO, "grace")).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> Settings.requireNotNegative(Duration.ofSeconds(-1), "grace"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grace must not be negative: PT-1S");
    assertThatThrownBy(() -> Settings.requireNotNegative((Duration) null, "grace"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("grace");
  }

  @Test
  void aConfigRecordChecksItsPortsAsTheirSettingsDo() {
    for (final int port : new int[] {0, 8080, 65_535}) {
      assertThat(Settings.requirePort(port, "port")).isEqualTo(port);
      assertThat(Settings.requirePortOrOff(port, "metrics port")).isEqualTo(port);
    }
    assertThat(Settings.requirePortOrOff(Settings.NO_PORT, "metrics port")).isEqualTo(-1);
    assertThatThrownBy(() -> Settings.requirePort(Settings.NO_PORT, "port"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port out of range: -1");
    assertThatThrownBy(() -> Settings.requirePortOrOff(70_000, "metrics port"))
        .hasMessage("metrics port must be -1 (off), 0 (free) or a port: 70000");
  }
}
