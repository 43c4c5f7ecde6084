package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProviderErrorTextTest {

  @Test
  void replacesTheCallsKeyAndKeyShapedTokensAndKeepsOneLine() {
    final String text = ProviderErrorText.forLog(
        "Incorrect key my-own-secret-value\nsk-proj-abcdef123456 and AIzaSyA0123456789 org-77",
        Optional.of(ApiKey.of("my-own-secret-value")));

    assertThat(text)
        .doesNotContain("my-own-secret-value", "sk-proj-abcdef123456", "AIzaSyA0123456789", "\n")
        .contains("org-77", "<redacted>");
  }

  @Test
  void leavesOrdinaryTextAlone() {
    assertThat(ProviderErrorText.forLog("HTTP 500: overloaded", Optional.empty()))
        .isEqualTo("HTTP 500: overloaded");
  }
}
