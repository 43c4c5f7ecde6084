package dev.tiergate.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.settings.SettingsTable;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SettingsReadmeTest {

  /** Rerun with {@code -Dsettings.write=true} to rewrite the block after changing a setting. */
  @Test
  void readmeListsTheDeclaredSettings() {
    assertThat(new SettingsTable(DispatcherConfig.SETTINGS)
            .check(Path.of("README.md"), Boolean.getBoolean(SettingsTable.WRITE_PROPERTY)))
        .isEmpty();
  }
}
