package dev.tiergate.accounting;

import dev.tiergate.schemas.UsageEvent;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A way to slice a tenant's spend. Adding a dimension here adds its aggregates to the same stores and
 * makes it queryable with {@code by=<label>}; existing aggregates are not disturbed. Each dimension
 * is kept only in the windows where its number of values stays affordable: sessions are many (one
 * per agent task), so they are kept as an all-time total (what a task cost) and per day (which tasks
 * were expensive lately), not per hour or month.
 */
public enum SpendDimension {
  MODE(UsageEvent::getMode, EnumSet.allOf(SpendWindow.class)),
  MODEL(UsageEvent::getModel, EnumSet.allOf(SpendWindow.class)),
  TIER(UsageEvent::getTier, EnumSet.allOf(SpendWindow.class)),
  /** Usage without a feature is not counted along this dimension. */
  FEATURE(UsageEvent::getFeature, EnumSet.allOf(SpendWindow.class)),
  /** The agent task ({@code x-kilocode-taskid}); total and day only. */
  SESSION(UsageEvent::getSessionId, EnumSet.of(SpendWindow.TOTAL, SpendWindow.DAY)),
  /** The parent task of a sub-agent ({@code x-kilocode-parent-taskid}); total and day only. */
  PARENT_SESSION(UsageEvent::getParentSessionId, EnumSet.of(SpendWindow.TOTAL, SpendWindow.DAY)),
  /** The client's project ({@code x-kilocode-projectid}); few per tenant, like features. */
  PROJECT(UsageEvent::getProjectId, EnumSet.allOf(SpendWindow.class)),
  /** The caller's organisation ({@code x-kilocode-organizationid}); few per tenant, like projects. */
  ORGANIZATION(UsageEvent::getOrganizationId, EnumSet.allOf(SpendWindow.class));

  /** Looked up per delta on the aggregation path, so a map rather than a scan. */
  private static final Map<String, SpendDimension> BY_LABEL = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(SpendDimension::label, d -> d));

  private final Function<UsageEvent, String> extractor;
  private final Set<SpendWindow> windows;
  private final String label;

  SpendDimension(final Function<UsageEvent, String> extractor, final Set<SpendWindow> windows) {
    this.extractor = extractor;
    this.windows = EnumSet.copyOf(windows);
    this.label = name().toLowerCase(Locale.ROOT);
  }

  /** True when this dimension's aggregates are kept in the given window's store. */
  public boolean keptIn(final SpendWindow window) {
    return windows.contains(window);
  }

  /** The windows this dimension is kept in, comma-separated, for error messages. */
  public String windowLabels() {
    return Arrays.stream(SpendWindow.values()).filter(this::keptIn).map(SpendWindow::label)
        .collect(Collectors.joining(", "));
  }

  /** The name used in keys, on {@code SpendAggregate.dimension} and in queries. */
  public String label() {
    return label;
  }

  /** This dimension's value for one usage, empty when the usage has none. */
  public Optional<String> valueOf(final UsageEvent usage) {
    return Optional.ofNullable(extractor.apply(usage)).filter(value -> !value.isBlank());
  }

  /** The dimension of a label, ignoring case and surrounding blanks. */
  public static Optional<SpendDimension> fromLabel(final String label) {
    final SpendDimension exact = BY_LABEL.get(label);
    if (exact != null) {
      return Optional.of(exact);
    }
    return Optional.ofNullable(BY_LABEL.get(label.trim().toLowerCase(Locale.ROOT)));
  }

  /** Every label, comma-separated, for error messages. */
  public static String labels() {
    return Arrays.stream(values()).map(SpendDimension::label).collect(Collectors.joining(", "));
  }
}
