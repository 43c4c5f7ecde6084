package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.accounting.batch.BatchConfig;
import dev.tiergate.schemas.settings.SettingsTable;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Rerun with {@code -Dsettings.write=true} to rewrite the blocks after changing a setting. */
class SettingsReadmeTest {

  private static final boolean WRITE = Boolean.getBoolean(SettingsTable.WRITE_PROPERTY);

  @Test
  void readmeListsTheDeclaredAccountingSettings() {
    assertThat(new SettingsTable(AccountingConfig.SETTINGS).check(Path.of("README.md"), WRITE))
        .isEmpty();
  }

  @Test
  void batchDocsListTheDeclaredBatchSettings() {
    assertThat(new SettingsTable(BatchConfig.SETTINGS).check(Path.of("../docs/batch.md"), WRITE))
        .isEmpty();
  }
}
