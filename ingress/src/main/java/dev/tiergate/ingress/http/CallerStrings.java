package dev.tiergate.ingress.http;

import dev.tiergate.ingress.common.GatewayException;

/**
 * The rule for strings a caller chooses (mode, feature, session, parent session, project, editor,
 * and Kilo's machine, organisation and request ids):
 * they become Kafka record fields, aggregate keys, response headers and dashboard cells, so they
 * are short and made of a safe set of characters. At most {@value #MAX_LENGTH} characters of ASCII
 * letters, digits, space and {@code . _ - : / @ + ~ # ( ) ,} — enough for Kilo's UUID task ids, mode
 * slugs, project ids such as {@code github.com/org/repo} or {@code git@github.com:org/repo.git}, and
 * editor names such as {@code Visual Studio Code 1.96.2}. No control characters (a CR/LF would break
 * a response header), no quotes, angle brackets, backslashes or non-ASCII.
 */
public final class CallerStrings {

  /** The longest value accepted, in characters. */
  public static final int MAX_LENGTH = 128;

  /** The punctuation accepted besides letters, digits and space. */
  static final String PUNCTUATION = "._-:/@+~#(),";

  private CallerStrings() {}

  /**
   * The value unchanged when it follows the rule (null passes: the caller sent nothing).
   *
   * @param field the field name the caller sees in the 400 ({@code param}), e.g. {@code mode}
   * @throws GatewayException 400 {@code invalid_request_error} naming the field otherwise
   */
  static String checked(final String field, final String value) {
    if (value == null) {
      return null;
    }
    if (value.length() > MAX_LENGTH) {
      throw GatewayException.invalidRequest(
          field, "'" + field + "' is longer than " + MAX_LENGTH + " characters.");
    }
    for (int i = 0; i < value.length(); i++) {
      if (!safe(value.charAt(i))) {
        throw GatewayException.invalidRequest(
            field, "'" + field + "' may hold only ASCII letters, digits, space and "
                + PUNCTUATION + " (at most " + MAX_LENGTH + " characters).");
      }
    }
    return value;
  }

  static boolean safe(final char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == ' '
        || PUNCTUATION.indexOf(c) >= 0;
  }
}
