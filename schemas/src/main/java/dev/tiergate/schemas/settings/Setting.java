package dev.tiergate.schemas.settings;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * One environment variable a service reads, declared once: its name, how its text becomes a value,
 * its default (or that it is required), what it is for and which values it accepts. A config
 * reads it through {@link Settings}; its README's table is rendered from it ({@link
 * SettingsTable}). Modelled on Debezium's {@code Field}: immutable, each {@code with...} returns a
 * copy.
 *
 * <p>A variable that is absent or blank is unset. A setting is either required, has a default, or
 * is optional ({@link Settings#find}).
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {

  private final String name;
  private final Function<String, ? extends T> parser;
  /** What the text must be ("a whole number"); empty for a parser that explains its own errors. */
  private final Optional<String> expected;
  private final Function<? super T, String> format;
  /** Numeric view of a value for range checks; null when the type has none. */
  private final ToLongFunction<? super T> magnitude;
  private final boolean required;
  private final Supplier<? extends T> defaultValue;
  private final Optional<String> shownDefault;
  private final String description;
  private final List<Rule<T>> rules;

  private record Rule<T>(Predicate<? super T> test, String problem) {}

  private Setting(
      final String name,
      final Function<String, ? extends T> parser,
      final Optional<String> expected,
      final Function<? super T, String> format,
      final ToLongFunction<? super T> magnitude,
      final boolean required,
      final Supplier<? extends T> defaultValue,
      final Optional<String> shownDefault,
      final String description,
      final List<Rule<T>> rules) {
    this.name = name;
    this.parser = parser;
    this.expected = expected;
    this.format = format;
    this.magnitude = magnitude;
    this.required = required;
    this.defaultValue = defaultValue;
    this.shownDefault = shownDefault;
    this.description = description;
    this.rules = List.copyOf(rules);
  }

  private static <T> Setting<T> create(
      final String name, final Function<String, ? extends T> parser, final String expected,
      final Function<? super T, String> format, final ToLongFunction<? super T> magnitude) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a setting needs a name");
    }
    return new Setting<>(name, Objects.requireNonNull(parser, "parser"),
        Optional.ofNullable(expected), format, magnitude, false, null, Optional.empty(), "",
        List.of());
  }

  /** Text, taken as given (not trimmed). */
  public static Setting<String> text(final String name) {
    return create(name, Function.identity(), null, String::valueOf, null);
  }

  /** An {@code int}. */
  public static Setting<Integer> integer(final String name) {
    return create(name, value -> Integer.parseInt(value.trim()), "a whole number", String::valueOf,
        Integer::longValue);
  }

  /** A TCP port to bind, 0 (a free one) to 65535. */
  public static Setting<Integer> port(final String name) {
    return integer(name).withRange(0, Settings.MAX_PORT);
  }

  /** A TCP port to bind, 0 (a free one) to 65535, or -1: no endpoint at all. */
  public static Setting<Integer> portOrOff(final String name) {
    return integer(name).withRange(Settings.NO_PORT, Settings.MAX_PORT);
  }

  /** A {@code long}. */
  public static Setting<Long> longInteger(final String name) {
    return create(name, value -> Long.parseLong(value.trim()), "a whole number", String::valueOf,
        Long::longValue);
  }

  /** A {@code double}. */
  public static Setting<Double> decimal(final String name) {
    return create(name, value -> Double.parseDouble(value.trim()), "a number", String::valueOf,
        null);
  }

  /** A duration written as a whole number of milliseconds. */
  public static Setting<Duration> millis(final String name) {
    return create(name, value -> Duration.ofMillis(Long.parseLong(value.trim())),
        "a number of milliseconds", duration -> String.valueOf(duration.toMillis()),
        Duration::toMillis);
  }

  /** A duration written in ISO-8601 ({@code PT30S}) or as a whole number of milliseconds. */
  public static Setting<Duration> duration(final String name) {
    return create(name, Setting::isoOrMillis, "ISO-8601 (PT30S) or milliseconds",
        duration -> String.valueOf(duration.toMillis()), Duration::toMillis);
  }

  /** A path. */
  public static Setting<Path> path(final String name) {
    return create(name, value -> Path.of(value.trim()), "a path", String::valueOf, null);
  }

  /**
   * A switch with a default: only the opposite word ({@code true} or {@code false}, any case)
   * changes it, anything else keeps the default.
   */
  public static Setting<Boolean> flag(final String name, final boolean defaultValue) {
    final String opposite = String.valueOf(!defaultValue);
    return create(name, value -> opposite.equalsIgnoreCase(value.trim()) != defaultValue, null,
            String::valueOf, null)
        .withDefault(defaultValue);
  }

  /**
   * A value of a type of its own. The parser throws {@link IllegalArgumentException} with a reason
   * that never repeats the value (it may be a secret); the error is the setting's name and that
   * reason, unless {@link #expecting} says what the text must be.
   */
  public static <T> Setting<T> of(final String name, final Function<String, ? extends T> parser) {
    return create(name, parser, null, String::valueOf, null);
  }

  /** The same setting; an unparsable value is reported as "NAME is not {@code what}: value". */
  public Setting<T> expecting(final String what) {
    return new Setting<>(name, parser, Optional.of(what), format, magnitude, required, defaultValue,
        shownDefault, description, rules);
  }

  /** The same setting, with this value when unset. */
  public Setting<T> withDefault(final T value) {
    Objects.requireNonNull(value, "value");
    return new Setting<>(name, parser, expected, format, magnitude, false, () -> value,
        Optional.empty(), description, rules);
  }

  /**
   * The same setting, with a default computed on each read (a random id, a directory under the
   * temp dir), documented as {@code shown}.
   */
  public Setting<T> withDefault(final Supplier<? extends T> value, final String shown) {
    return new Setting<>(name, parser, expected, format, magnitude, false,
        Objects.requireNonNull(value, "value"), Optional.of(shown), description, rules);
  }

  /** The same setting, documented with this default (prose) instead of its value or "none". */
  public Setting<T> withShownDefault(final String shown) {
    return new Setting<>(name, parser, expected, format, magnitude, required, defaultValue,
        Optional.of(shown), description, rules);
  }

  /** The same setting, without a default: reading it unset fails. */
  public Setting<T> required() {
    return new Setting<>(name, parser, expected, format, magnitude, true, null, Optional.empty(),
        description, rules);
  }

  public Setting<T> withDescription(final String text) {
    return new Setting<>(name, parser, expected, format, magnitude, required, defaultValue,
        shownDefault, Objects.requireNonNull(text, "text"), rules);
  }

  /** The same setting, refusing a value {@code valid} rejects: "NAME {@code problem}: value". */
  public Setting<T> withValidation(final Predicate<? super T> valid, final String problem) {
    final List<Rule<T>> more = new ArrayList<>(rules);
    more.add(new Rule<>(
        Objects.requireNonNull(valid, "valid"), Objects.requireNonNull(problem, "problem")));
    return new Setting<>(name, parser, expected, format, magnitude, required, defaultValue,
        shownDefault, description, more);
  }

  /** Numbers (durations in milliseconds) from {@code min} to {@code max}, both included. */
  public Setting<T> withRange(final long min, final long max) {
    final ToLongFunction<? super T> number = numeric();
    return withValidation(value -> {
      final long n = number.applyAsLong(value);
      return n >= min && n <= max;
    }, "is out of range " + min + " to " + max);
  }

  /** Numbers (durations in milliseconds) of at least {@code min}. */
  public Setting<T> atLeast(final long min) {
    final ToLongFunction<? super T> number = numeric();
    return withValidation(value -> number.applyAsLong(value) >= min, "must be at least " + min);
  }

  private ToLongFunction<? super T> numeric() {
    if (magnitude == null) {
      throw new IllegalStateException(name + " is not a number; it has no range");
    }
    return magnitude;
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  /** The default as the documentation shows it: the value, prose, "required" or "none". */
  public String shownDefault() {
    if (shownDefault.isPresent()) {
      return shownDefault.get();
    }
    if (required) {
      return "required";
    }
    return defaultValue == null ? "none" : "`" + format.apply(defaultValue.get()) + "`";
  }

  /** The value of {@code text}, checked; the error names this setting. */
  T parse(final String text) {
    final T value;
    try {
      value = Objects.requireNonNull(parser.apply(text), name);
    } catch (IllegalArgumentException | DateTimeException e) {
      throw new IllegalArgumentException(
          expected.map(what -> name + " is not " + what + ": " + text)
              .orElseGet(() -> name + ": " + e.getMessage()),
          e);
    }
    for (final Rule<T> rule : rules) {
      if (!rule.test().test(value)) {
        throw new IllegalArgumentException(name + " " + rule.problem() + ": " + text.trim());
      }
    }
    return value;
  }

  /** The default, or a failure naming this setting when it has none. */
  T unset() {
    if (defaultValue != null) {
      return defaultValue.get();
    }
    if (required) {
      throw new IllegalArgumentException("missing required setting " + name);
    }
    throw new IllegalStateException(name + " is optional and has no default: read it with find");
  }

  @Override
  public String toString() {
    return name;
  }

  private static Duration isoOrMillis(final String value) {
    final String trimmed = value.trim();
    return trimmed.toUpperCase(Locale.ROOT).startsWith("P")
        ? Duration.parse(trimmed)
        : Duration.ofMillis(Long.parseLong(trimmed));
  }
}
