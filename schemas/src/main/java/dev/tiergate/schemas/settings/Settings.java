package dev.tiergate.schemas.settings;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads {@link Setting}s from environment-style variables. A variable that is absent or blank is
 * unset; a bad value fails with an {@link IllegalArgumentException} that names the variable and
 * the value, which a service's main reports as one line (a refused start). The {@code KAFKA_*}
 * pass-through is {@link dev.tiergate.schemas.KafkaSettings}'.
 */
public final class Settings {

  /** The port value that turns an endpoint off ({@link Setting#portOrOff}). */
  public static final int NO_PORT = -1;
  /** The highest TCP port; {@link Setting#port} reads up to it too. */
  static final int MAX_PORT = 65_535;

  private final Map<String, String> env;

  private Settings(final Map<String, String> env) {
    this.env = env;
  }

  public static Settings of(final Map<String, String> env) {
    return new Settings(Objects.requireNonNull(env, "env"));
  }

  /**
   * The setting's value, or its default when unset.
   *
   * @throws IllegalArgumentException when the value is bad, or a required setting is unset
   * @throws IllegalStateException when the setting is optional without a default ({@link #find}
   *     reads it)
   */
  public <T> T get(final Setting<T> setting) {
    return find(setting).orElseGet(setting::unset);
  }

  /**
   * The setting's value when set, ignoring any default.
   *
   * @throws IllegalArgumentException when the value is bad
   */
  public <T> Optional<T> find(final Setting<T> setting) {
    final String text = env.get(setting.name());
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(setting.parse(text));
  }

  /**
   * A config record's check of a duration that must be above zero.
   *
   * @throws NullPointerException naming {@code name} when it is null
   * @throws IllegalArgumentException when it is zero or negative
   */
  public static Duration requirePositive(final Duration duration, final String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
    return duration;
  }

  /**
   * A config record's check of a duration that may be zero but not negative (a grace, a pause).
   *
   * @throws NullPointerException naming {@code name} when it is null
   * @throws IllegalArgumentException when it is negative
   */
  public static Duration requireNotNegative(final Duration duration, final String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + duration);
    }
    return duration;
  }

  /**
   * A config record's check of a count that may be zero but not negative.
   *
   * @throws IllegalArgumentException when it is negative
   */
  public static int requireNotNegative(final int value, final String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
    return value;
  }

  /**
   * A config record's check of a count that must be at least one (a capacity, a limit).
   *
   * @throws IllegalArgumentException when it is zero or negative
   */
  public static int requirePositive(final int value, final String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  /**
   * A config record's check of a port to bind: 0 (a free one) to 65535, as {@link Setting#port}
   * reads it.
   *
   * @throws IllegalArgumentException naming {@code name} when it is out of that range
   */
  public static int requirePort(final int port, final String name) {
    if (port < 0 || port > MAX_PORT) {
      throw new IllegalArgumentException(name + " out of range: " + port);
    }
    return port;
  }

  /**
   * A config record's check of a port that may also be -1, no endpoint at all, as {@link
   * Setting#portOrOff} reads it.
   *
   * @throws IllegalArgumentException naming {@code name} when it is out of that range
   */
  public static int requirePortOrOff(final int port, final String name) {
    if (port < NO_PORT || port > MAX_PORT) {
      throw new IllegalArgumentException(
          name + " must be -1 (off), 0 (free) or a port: " + port);
    }
    return port;
  }

  /**
   * A config record's check of a text that must not be blank (an id, a host); the value is
   * returned as it is.
   *
   * @throws NullPointerException naming {@code name} when it is null
   * @throws IllegalArgumentException when it is empty or only white space
   */
  public static String requireText(final String value, final String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }
}
