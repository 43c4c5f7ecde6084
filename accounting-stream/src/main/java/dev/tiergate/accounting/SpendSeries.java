package dev.tiergate.accounting;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tiergate.schemas.SpendAggregate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;

/**
 * A tenant's spend along one dimension over consecutive buckets of one window, as the dashboard
 * draws it: oldest bucket first, each with its values sorted by name.
 */
@JsonPropertyOrder({"tenant", "by", "window", "buckets"})
public record SpendSeries(String tenant, String by, String window, List<Bucket> buckets) {

  public SpendSeries {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(window, "window");
    buckets = List.copyOf(buckets);
  }

  static SpendSeries of(
      final SpendScope scope, final List<KeyValue<Instant, SpendAggregate>> rows) {
    final Map<Instant, Map<String, SpendReport.Row>> byStart = new TreeMap<>();
    for (final KeyValue<Instant, SpendAggregate> row : rows) {
      byStart.computeIfAbsent(row.key, start -> new TreeMap<>())
          .put(row.value.getValue(), SpendReport.Row.of(row.value));
    }
    final List<Bucket> buckets = byStart.entrySet().stream()
        .map(e -> new Bucket(e.getKey().toString(), List.copyOf(e.getValue().values())))
        .toList();
    return new SpendSeries(scope.tenant(), scope.by().label(), scope.window().label(), buckets);
  }

  /** One bucket: its start (ISO-8601, UTC) and the dimension's values in it. */
  public record Bucket(String start, List<SpendReport.Row> rows) {}
}
