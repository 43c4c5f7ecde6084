package dev.tiergate.ingress.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.runtime.Tier;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallerStringsTest {

  private static final Caller CALLER = new Caller("acme", Tier.BALANCED);

  @ParameterizedTest
  @ValueSource(strings = {
    "code", "orchestrator", "translate-docs", "6f1c1f0e-8f5e-4a8e-9c1d-2b7f7c4a9e11",
    "github.com/org/repo", "git@github.com:org/repo.git", "https://github.com/org/repo",
    "Visual Studio Code 1.96.2", "IntelliJ IDEA (2024.3)", "sess_01HX+v2~a#1,b"
  })
  void acceptsWhatRealClientsSend(final String value) {
    assertThat(CallerStrings.checked("project_id", value)).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"plan\r\nx-evil: 1", "tab\there", "quote\"d", "<script>", "back\\slash",
      "caf\u00e9", "nul\u0000", "semi;colon"})
  void refusesCharactersOutsideTheSafeSet(final String value) {
    assertThatThrownBy(() -> CallerStrings.checked("mode", value))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.type()).isEqualTo("invalid_request_error");
          assertThat(e.param()).isEqualTo("mode");
          assertThat(e.getMessage()).contains("'mode'");
        });
  }

  @Test
  void acceptsExactly128CharactersAndRefuses129() {
    assertThat(CallerStrings.checked("feature", "f".repeat(128))).hasSize(128);
    assertThatThrownBy(() -> CallerStrings.checked("feature", "f".repeat(129)))
        .isInstanceOfSatisfying(GatewayException.class, e -> {
          assertThat(e.param()).isEqualTo("feature");
          assertThat(e.getMessage()).contains("128");
        });
  }

  @Test
  void nullMeansNotSentAndPasses() {
    assertThat(CallerStrings.checked("editor", null)).isNull();
  }

  @Test
  void signalsRefuseAMetadataModeWithALineBreakNamingTheField() {
    final ObjectNode metadata = new ObjectMapper().createObjectNode().put("mode", "plan\r\nx: y");

    final Signals.Sources sources = new Signals.Sources(name -> null, metadata);
    assertThatThrownBy(() -> Signals.resolve(sources, "auto", CALLER))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.param()).isEqualTo("mode"));
  }

  @Test
  void signalsCheckEveryCallerStringFromHeadersAndMetadata() {
    final String tooLong = "x".repeat(129);
    final Map<String, String> fields = Map.of(
        "x-kilocode-feature", "feature",
        "x-kilocode-taskid", "session_id",
        "x-kilocode-parent-taskid", "parent_session_id",
        "x-kilocode-projectid", "project_id",
        "x-kilocode-editorname", "editor");
    fields.forEach((header, field) ->
        assertThatThrownBy(() -> Signals.resolve(Map.of(header, tooLong)::get, "auto", CALLER))
            .isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.param()).isEqualTo(field)));
    final ObjectNode metadata = new ObjectMapper().createObjectNode().put("session_id", tooLong);
    final Signals.Sources sources = new Signals.Sources(name -> null, metadata);
    assertThatThrownBy(() -> Signals.resolve(sources, "auto", CALLER))
        .isInstanceOfSatisfying(GatewayException.class,
            e -> assertThat(e.param()).isEqualTo("session_id"));
  }
}
