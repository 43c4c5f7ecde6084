package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerRequestsTest {

  @Test
  void namesALaneWithoutItsInstanceAndThreadIds() {
    assertThat(BrokerRequests.lane(
        "tiergate-accounting-86c99a94-4d0d-43a9-baba-fa3b557e576b-StreamThread-1-producer"))
        .isEqualTo("tiergate-accounting-StreamThread-producer");
    assertThat(BrokerRequests.lane(
        "tiergate-dispatcher-dispatcher-98539a94-72ba-4c9a-bb41-1cfd4ab10703"))
        .isEqualTo("tiergate-dispatcher-dispatcher");
    assertThat(BrokerRequests.lane("tiergate-ingress-tiergate.usage"))
        .isEqualTo("tiergate-ingress-tiergate.usage");
  }

  @Test
  void dividesWhatEachRunAddedByItsRequests() {
    final BrokerRequests requests = new BrokerRequests("request");
    requests.add("a", Map.of("api Produce", 100L, "api Fetch", 7L),
        Map.of("api Produce", 300L, "api Fetch", 7L), 100);
    requests.add("b", Map.of("api Produce", 300L), Map.of("api Produce", 400L, "api Fetch", 50L),
        200);

    assertThat(requests.markdown()).containsExactly(
        "| per request | a | b |",
        "|---|---:|---:|",
        "| api Fetch | 0.00 | 0.25 |",
        "| api Produce | 2.00 | 0.50 |");
  }
}
