package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualKeySpecTest {

  @Test
  void parsesEntriesKeepingOnlyTheKeysDigestAndTheirAttributes() {
    final List<VirtualKeySpec.Entry> entries =
        VirtualKeySpec.parse(" k1=acme:frontier ,, k2=beta:small;rpm=60;tiers=small|free");

    assertThat(entries).hasSize(2);
    assertThat(entries.get(0)).isEqualTo(new VirtualKeySpec.Entry(
        1, VirtualKeySpec.hash("k1"), "acme", Tier.FRONTIER, List.of()));
    assertThat(entries.get(1).position()).isEqualTo(3);
    assertThat(entries.get(1).attributes()).containsExactly("rpm=60", "tiers=small|free");
    assertThat(entries.toString()).doesNotContain("k1=").doesNotContain("k2=");
  }

  @Test
  void errorsNameThePositionNeverTheKey() {
    assertThatThrownBy(() -> VirtualKeySpec.parse("secret-key=acme:gold"))
        .hasMessage("virtual key entry #1: unknown tier");
    assertThatThrownBy(() -> VirtualKeySpec.parse("ok=a:small,secret-key"))
        .hasMessage("virtual key entry #2: expected key=tenant:tier");
    assertThatThrownBy(() -> VirtualKeySpec.parse("secret-key=:small"))
        .hasMessageNotContaining("secret");
  }

  @Test
  void hashesWithSha256AndDerivesAShortKeyId() {
    final String hash = VirtualKeySpec.hash("abc");

    assertThat(hash).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(VirtualKeySpec.keyId(hash)).isEqualTo("key_ba7816bf8f01");
  }
}
