package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GaugesTest {

  @Test
  void readsResidentMemoryFromProcStatus() {
    final List<String> status = List.of(
        "Name:\tjava", "VmPeak:\t 5000000 kB", "VmRSS:\t  812344 kB", "RssAnon:\t  700000 kB");

    assertThat(Gauges.rssKiB(status)).hasValue(812_344);
    assertThat(Gauges.rssKiB(List.of("Name:\tjava"))).isEmpty();
  }
}
