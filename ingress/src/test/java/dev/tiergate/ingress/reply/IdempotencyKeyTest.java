package dev.tiergate.ingress.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.ingress.common.GatewayException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {

  @Test
  void sameTenantAndKeyGiveTheSameCorrelationId() {
    assertThat(IdempotencyKey.correlationId("acme", "k-1", 1))
        .isEqualTo(IdempotencyKey.correlationId("acme", "k-1", 1))
        .startsWith("req_idem_");
  }

  @Test
  void otherTenantOrAttemptGetsAnotherId() {
    final String first = IdempotencyKey.correlationId("acme", "k-1", 1);

    assertThat(IdempotencyKey.correlationId("globex", "k-1", 1)).isNotEqualTo(first);
    assertThat(IdempotencyKey.correlationId("acme", "k-1", 2)).isEqualTo(first + "_2");
  }

  @Test
  void absentKeyIsEmpty() {
    assertThat(IdempotencyKey.from(name -> null)).isEmpty();
  }

  @Test
  void keysTooLongOrWithSpacesOrControlCharactersAre400() {
    for (final String bad : new String[] {"", "has space", "tab\there", "x".repeat(256), "é"}) {
      assertThatThrownBy(() -> IdempotencyKey.from(Map.of(IdempotencyKey.HEADER, bad)::get))
          .as(bad)
          .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.httpStatus()).isEqualTo(400));
    }
  }

  @Test
  void printableKeyIsAccepted() {
    assertThat(IdempotencyKey.from(Map.of(IdempotencyKey.HEADER, "stainless-node-retry-0f3e:1")::get))
        .contains("stainless-node-retry-0f3e:1");
  }
}
