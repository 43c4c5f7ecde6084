package dev.tiergate.router.predict;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Cheap features of a prompt's shape that say something about difficulty whatever its subject:
 * length, digit and maths-symbol density, answer options, question words, negations ("NOT",
 * "EXCEPT"), two-statement items, formulas. Each is a small number, roughly 0–1 or a log count.
 */
public final class ShapeFeatures {

  public static final String[] NAMES = {
    "log_chars", "log_words", "log_lines", "digit_share", "math_symbol_share", "numbers_log",
    "answer_options", "option_chars_log", "question_calc", "question_which", "question_why_how",
    "negation", "two_statements", "formula", "upper_share", "ends_with_answer"
  };
  public static final int DIMENSION = NAMES.length;

  private static final Pattern OPTION = Pattern.compile("(?m)^\\s*[A-D][.)]\\s");
  private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)?");
  private static final Pattern WORD = Pattern.compile("\\p{L}+");
  private static final Pattern CALC =
      Pattern.compile("\\b(calculate|compute|find|solve|how many|how much|evaluate|determine)\\b");
  private static final Pattern WHICH = Pattern.compile("\\b(which|what|who|when|where)\\b");
  private static final Pattern WHY_HOW = Pattern.compile("\\b(why|how|explain)\\b");
  private static final Pattern NEGATION = Pattern.compile("\\b(NOT|EXCEPT|LEAST|FALSE)\\b");
  private static final Pattern STATEMENTS = Pattern.compile("Statement 1|\\bI\\.\\s.*\\bII\\.", Pattern.DOTALL);
  private static final Pattern FORMULA = Pattern.compile("[=^√∫∑]|\\\\[a-z]+|\\b(sqrt|log|sin|cos)\\b");

  private ShapeFeatures() {}

  /** The features of one prompt, in the order of {@link #NAMES}. */
  public static float[] of(final String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    final String text = prompt.length() > TextFeatures.MAX_CHARS
        ? prompt.substring(0, TextFeatures.MAX_CHARS) : prompt;
    final String lower = text.toLowerCase(Locale.ROOT);
    int digits = 0;
    int maths = 0;
    int upper = 0;
    int lines = 1;
    for (int i = 0; i < text.length(); i++) {
      final char c = text.charAt(i);
      if (Character.isDigit(c)) {
        digits++;
      } else if ("+-*/=^<>%()".indexOf(c) >= 0) {
        maths++;
      } else if (Character.isUpperCase(c)) {
        upper++;
      } else if (c == '\n') {
        lines++;
      }
    }
    final double length = Math.max(1, text.length());
    final int options = (int) OPTION.matcher(text).results().count();
    final int optionStart = firstOption(text);
    return new float[] {
      log(text.length()) / 10f,
      log(WORD.matcher(text).results().count()) / 8f,
      log(lines) / 4f,
      (float) (digits / length) * 4f,
      (float) (maths / length) * 10f,
      log(NUMBER.matcher(text).results().count()) / 4f,
      Math.min(options, 4) / 4f,
      optionStart < 0 ? 0f : log(text.length() - optionStart) / 8f,
      CALC.matcher(lower).find() ? 1f : 0f,
      WHICH.matcher(lower).find() ? 1f : 0f,
      WHY_HOW.matcher(lower).find() ? 1f : 0f,
      NEGATION.matcher(text).find() ? 1f : 0f,
      STATEMENTS.matcher(text).find() ? 1f : 0f,
      FORMULA.matcher(text).find() ? 1f : 0f,
      (float) (upper / length) * 5f,
      lower.stripTrailing().endsWith("answer:") ? 1f : 0f
    };
  }

  private static int firstOption(final String text) {
    final var matcher = OPTION.matcher(text);
    return matcher.find() ? matcher.start() : -1;
  }

  private static float log(final long count) {
    return (float) Math.log1p(count);
  }
}
