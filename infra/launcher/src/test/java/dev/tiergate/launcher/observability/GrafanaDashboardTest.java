package dev.tiergate.launcher.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrafanaDashboardTest {

  @Test
  void readsTheMetricNamesOutOfPromQl() {
    assertThat(GrafanaDashboard.metricNames(
        "histogram_quantile(0.99, sum by (le, route) (rate(tiergate_ingress_http_requests_seconds_bucket"
            + "{route=~\"/v1/.*\"}[$__rate_interval])))"))
        .containsExactly("tiergate_ingress_http_requests_seconds_bucket");
    assertThat(GrafanaDashboard.metricNames(
        "sum(rate(a_total[5m])) * 3600 / 1e6 / sum(rate(b_total{x=\"y\"}[5m])) or on(job) vector(0)"))
        .containsExactly("a_total", "b_total");
  }

  @Test
  void hasAPanelForEveryOperatorQuestion() throws Exception {
    final JsonNode dashboard = GrafanaDashboard.dashboard();
    final List<String> titles = dashboard.path("panels").findValuesAsText("title");
    assertThat(String.join("|", titles).toLowerCase(java.util.Locale.ROOT))
        .contains("requests", "latency", "provider errors", "breaker", "lag", "spend");
    assertThat(GrafanaDashboard.expressions(dashboard)).isNotEmpty().allSatisfy(expr ->
        assertThat(GrafanaDashboard.metricNames(expr)).as(expr).isNotEmpty());
  }
}
