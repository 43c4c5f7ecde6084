package dev.tiergate.schemas.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTableTest {

  private static final SettingsTable TABLE = new SettingsTable(List.of(
      Setting.integer("TEST_PORT").withDefault(8080).withDescription("HTTP port; 0 picks a free one"),
      Setting.text("TEST_KEYS").withDescription("`key=tenant:tier|tier`, comma-separated")));

  private static final String BLOCK = String.join("\n",
      "<!-- settings:begin -->",
      "| variable | default | description |",
      "|---|---|---|",
      "| `TEST_PORT` | `8080` | HTTP port; 0 picks a free one |",
      "| `TEST_KEYS` | none | `key=tenant:tier\\|tier`, comma-separated |",
      "<!-- settings:end -->");

  @TempDir Path dir;

  @Test
  void rendersOneRowPerSettingBetweenTheMarkers() {
    assertThat(TABLE.markdown()).isEqualTo(BLOCK);
  }

  @Test
  void replacesOnlyTheMarkedBlock() {
    final String document = "# svc\n\nintro\n\n<!-- settings:begin -->\nold\n<!-- settings:end -->\n\nmore\n";

    assertThat(TABLE.into(document)).isEqualTo("# svc\n\nintro\n\n" + BLOCK + "\n\nmore\n");
  }

  @Test
  void refusesADocumentWithoutExactlyOneBlock() {
    assertThatThrownBy(() -> TABLE.into("# no block")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TABLE.into(BLOCK + "\n" + BLOCK))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reportsAnOutOfDateBlockWithWhatItShouldRead() throws IOException {
    final Path readme = Files.writeString(dir.resolve("README.md"),
        "# svc\n<!-- settings:begin -->\n<!-- settings:end -->\n");

    assertThat(TABLE.check(readme, false)).hasValueSatisfying(problem ->
        assertThat(problem).contains("-Dsettings.write=true").endsWith(BLOCK));
    assertThat(Files.readString(readme)).doesNotContain("TEST_PORT");
  }

  @Test
  void rewritesAnOutOfDateBlockWhenAsked() throws IOException {
    final Path readme = Files.writeString(dir.resolve("README.md"),
        "# svc\n<!-- settings:begin -->\n<!-- settings:end -->\n");

    assertThat(TABLE.check(readme, true)).isEmpty();
    assertThat(Files.readString(readme)).isEqualTo("# svc\n" + BLOCK + "\n");
    assertThat(TABLE.check(readme, false)).isEmpty();
  }
}
