package dev.tiergate.schemas.settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A service's settings as the Markdown table its README shows between {@value #BEGIN} and
 * {@value #END}, rendered from the declarations so the two never disagree. Each service has a test
 * that calls {@link #check}; running it with {@code -Dsettings.write=true} rewrites the block.
 */
public final class SettingsTable {

  public static final String BEGIN = "<!-- settings:begin -->";
  public static final String END = "<!-- settings:end -->";
  /** The system property that makes {@link #check} rewrite an out-of-date block. */
  public static final String WRITE_PROPERTY = "settings.write";

  private final List<Setting<?>> settings;

  public SettingsTable(final List<Setting<?>> settings) {
    this.settings = List.copyOf(settings);
    if (this.settings.isEmpty()) {
      throw new IllegalArgumentException("a settings table needs settings");
    }
  }

  /** The block, markers included: one row per setting, in declaration order. */
  public String markdown() {
    final StringBuilder table = new StringBuilder()
        .append(BEGIN).append('\n')
        .append("| variable | default | description |\n")
        .append("|---|---|---|\n");
    for (final Setting<?> setting : settings) {
      table.append("| `").append(setting.name()).append("` | ")
          .append(cell(setting.shownDefault())).append(" | ")
          .append(cell(setting.description())).append(" |\n");
    }
    return table.append(END).toString();
  }

  /** {@code document} with its block replaced by {@link #markdown()}. */
  public String into(final String document) {
    Objects.requireNonNull(document, "document");
    final int begin = document.indexOf(BEGIN);
    final int end = document.indexOf(END);
    if (begin < 0 || end < begin || document.indexOf(BEGIN, begin + 1) >= 0) {
      throw new IllegalArgumentException(
          "the document needs exactly one " + BEGIN + " followed by " + END);
    }
    return document.substring(0, begin) + markdown() + document.substring(end + END.length());
  }

  /**
   * Compares the block in {@code document} with the declarations; when they differ, rewrites it if
   * {@code write}, and otherwise says what it should be.
   *
   * @return empty when the block is current (or was just rewritten), else the problem and the
   *     expected block
   */
  public Optional<String> check(final Path document, final boolean write) {
    try {
      final String current = Files.readString(document);
      final String expected = into(current);
      if (expected.equals(current)) {
        return Optional.empty();
      }
      if (write) {
        Files.writeString(document, expected);
        return Optional.empty();
      }
      return Optional.of(document + " lists other settings than declared; rerun with -D"
          + WRITE_PROPERTY + "=true to rewrite its block, which should read:\n" + markdown());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String cell(final String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
