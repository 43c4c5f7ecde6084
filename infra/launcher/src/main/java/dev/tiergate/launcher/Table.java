package dev.tiergate.launcher;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Rows in columns under a header, as the {@code list} and {@code show} commands print them. The
 * format has one {@code %s} per column (with its width) and ends the line.
 */
public record Table(String format, List<String> header) {

  public Table {
    Objects.requireNonNull(format, "format");
    header = List.copyOf(header);
  }

  public static Table of(final String format, final String... header) {
    return new Table(format, List.of(header));
  }

  /** Prints the header, then one line per row with the cells {@code cells} gives it. */
  public <T> void print(
      final PrintWriter out, final Iterable<T> rows, final Function<T, List<?>> cells) {
    out.printf(Locale.ROOT, format, header.toArray());
    for (final T row : rows) {
      out.printf(Locale.ROOT, format, cells.apply(row).toArray());
    }
  }
}
