package dev.tiergate.accounting;

import dev.tiergate.schemas.UsageEvent;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A way to slice a tenant's spend. Adding a dimension here adds its aggregates to the same store and
 * makes it queryable with {@code by=<label>}; existing aggregates are not disturbed.
 */
public enum SpendDimension {
  MODE(UsageEvent::getMode),
  MODEL(UsageEvent::getModel),
  TIER(UsageEvent::getTier),
  /** Usage without a feature is not counted along this dimension. */
  FEATURE(UsageEvent::getFeature);

  private final Function<UsageEvent, String> extractor;

  SpendDimension(final Function<UsageEvent, String> extractor) {
    this.extractor = extractor;
  }

  /** The name used in keys, on {@code SpendAggregate.dimension} and in queries. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** This dimension's value for one usage, empty when the usage has none. */
  public Optional<String> valueOf(final UsageEvent usage) {
    return Optional.ofNullable(extractor.apply(usage)).filter(value -> !value.isBlank());
  }

  public static Optional<SpendDimension> fromLabel(final String label) {
    final String wanted = label.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(d -> d.label().equals(wanted)).findFirst();
  }

  /** Every label, comma-separated, for error messages. */
  public static String labels() {
    return Arrays.stream(values()).map(SpendDimension::label).collect(Collectors.joining(", "));
  }
}
