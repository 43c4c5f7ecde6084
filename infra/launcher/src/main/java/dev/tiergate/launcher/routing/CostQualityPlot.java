package dev.tiergate.launcher.routing;

import dev.tiergate.router.predict.RoutingEvaluation.CurvePoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the predictor's cost–quality curve (PGR over the share of strong calls) as a PNG. */
final class CostQualityPlot {

  private CostQualityPlot() {}

  static void write(final List<CurvePoint> curve, final String title, final Path png)
      throws IOException {
    Objects.requireNonNull(curve, "curve");
    final XYChart chart = new XYChartBuilder().width(800).height(560).title(title)
        .xAxisTitle("share of no-mode requests on the strong tier (%)")
        .yAxisTitle("performance gap recovered (%)").build();
    final double[] share = curve.stream().mapToDouble(p -> p.strongShare() * 100).toArray();
    final double[] pgr = curve.stream().mapToDouble(p -> p.pgr() * 100).toArray();
    chart.addSeries("predictor", share, pgr).setMarker(SeriesMarkers.CIRCLE);
    chart.addSeries("random routing", new double[] {0, 100}, new double[] {0, 100})
        .setMarker(SeriesMarkers.NONE);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(110.0).setXAxisMin(0.0).setXAxisMax(100.0);
    final String name = png.toString();
    final String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".png")
        ? name.substring(0, name.length() - 4) : name;
    BitmapEncoder.saveBitmap(chart, base, BitmapFormat.PNG);
  }
}
