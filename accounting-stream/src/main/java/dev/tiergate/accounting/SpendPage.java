package dev.tiergate.accounting;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Which slice of a spend report to return: at most {@code limit} rows (default {@value
 * #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}) whose values sort after the cursor's. Rows are
 * sorted by value, so a cursor is the last value of the previous page, encoded as URL-safe base64
 * of {@code v1:<value>}: stable across instances and restarts (it names a value, not a position),
 * and opaque enough that clients pass it back rather than build it.
 *
 * @param limit the most rows to return
 * @param after the value to start after, empty for the first page
 */
public record SpendPage(int limit, Optional<String> after) {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1_000;
  public static final SpendPage FIRST = new SpendPage(DEFAULT_LIMIT, Optional.empty());

  private static final String VERSION = "v1:";

  public SpendPage {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be in [1, " + MAX_LIMIT + "]: " + limit);
    }
    after = after == null ? Optional.empty() : after;
  }

  /** The page a {@code limit} and {@code cursor} query parameter ask for (either may be absent). */
  public static SpendPage parse(final Optional<String> limit, final Optional<String> cursor) {
    final int rows;
    try {
      rows = limit.map(value -> Integer.parseInt(value.trim())).orElse(DEFAULT_LIMIT);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("limit must be a number: " + limit.get(), e);
    }
    return new SpendPage(rows, cursor.map(SpendPage::decode));
  }

  /** True when a row of this value belongs after the cursor. */
  public boolean admits(final String value) {
    return after.isEmpty() || value.compareTo(after.get()) > 0;
  }

  /** The cursor of the page that starts after {@code lastValue}. */
  public static String cursorAfter(final String lastValue) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((VERSION + lastValue).getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(final String cursor) {
    final String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cursor is not one this API returned", e);
    }
    if (!text.startsWith(VERSION)) {
      throw new IllegalArgumentException("cursor is not one this API returned");
    }
    return text.substring(VERSION.length());
  }
}
