package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class ForwardTargetTest {

  private static final HostInfo OWNER = new HostInfo("10.0.0.7", 8083);

  @Test
  void acceptsOnlyOriginFormTargets() {
    assertThat(ForwardTarget.isOriginForm("/v1/spend?by=mode")).isTrue();
    for (final String target : List.of("http://evil.example/v1/spend", "@evil.example:80/v1/spend",
        "//evil.example/v1/spend", "v1/spend", "", "/v1/spend#x", "/v1/sp end", "/v1\\spend")) {
      assertThat(ForwardTarget.isOriginForm(target)).as(target).isFalse();
    }
    assertThat(ForwardTarget.isOriginForm(null)).isFalse();
  }

  @Test
  void buildsTheOwnersUriFromTheParsedPathAndQuery() {
    assertThat(ForwardTarget.forOwner(OWNER, "/v1/spend?by=mode&at=2025-06-01T10%3A00%3A00Z").toString())
        .isEqualTo("http://10.0.0.7:8083/v1/spend?by=mode&at=2025-06-01T10%3A00%3A00Z");
  }

  @Test
  void aQueryCannotAddAnAuthorityOrAnotherPath() {
    assertThat(ForwardTarget.forOwner(OWNER, "/v1/spend?by=@evil.example:80/x").getHost()).isEqualTo("10.0.0.7");
    assertThatThrownBy(() -> ForwardTarget.forOwner(OWNER, "@evil.example:80/v1/spend"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
