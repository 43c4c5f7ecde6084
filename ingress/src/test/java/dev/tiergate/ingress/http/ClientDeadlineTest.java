package dev.tiergate.ingress.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientDeadlineTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(60);

  private static HeaderLookup headers(final Map<String, String> values) {
    return name -> values.get(name.toLowerCase(Locale.ROOT));
  }

  @Test
  void withoutClientTimeoutTheDeadlineIsTheReplyTimeout() {
    assertThat(ClientDeadline.of(headers(Map.of()), NOW, REPLY_TIMEOUT)).isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  void stainlessTimeoutInSecondsShortensTheDeadline() {
    assertThat(ClientDeadline.of(headers(Map.of("x-stainless-timeout", "20")), NOW, REPLY_TIMEOUT))
        .isEqualTo(NOW.plusSeconds(20));
  }

  @Test
  void longerClientTimeoutDoesNotExtendTheReplyTimeout() {
    assertThat(ClientDeadline.of(headers(Map.of("x-stainless-timeout", "600")), NOW, REPLY_TIMEOUT))
        .isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  void tiergateTimeoutTakesDecimalSecondsAndTheShorterWins() {
    final Map<String, String> both = Map.of("x-tiergate-timeout", "2.5", "x-stainless-timeout", "10");

    assertThat(ClientDeadline.of(headers(both), NOW, REPLY_TIMEOUT)).isEqualTo(NOW.plusMillis(2_500));
  }

  @Test
  void malformedStainlessTimeoutIsIgnored() {
    assertThat(ClientDeadline.of(headers(Map.of("x-stainless-timeout", "ten")), NOW, REPLY_TIMEOUT))
        .isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  void malformedOrNonPositiveTiergateTimeoutIsA400() {
    for (final String bad : new String[] {"soon", "0", "-3", "PT5S"}) {
      assertThatThrownBy(
              () -> ClientDeadline.of(headers(Map.of("x-tiergate-timeout", bad)), NOW, REPLY_TIMEOUT))
          .as(bad)
          .isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(400);
            assertThat(e.param()).isEqualTo("x-tiergate-timeout");
          });
    }
  }
}
