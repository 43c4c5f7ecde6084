package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.RoutedRequest;
import dev.tiergate.schemas.RoutingDecision;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** Outstanding reservations: the sums admission reads, settlement against booked usage, release. */
class ReservationLedgerTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final Instant LATER = NOW.plusSeconds(65);

  private final ReservationLedger ledger = new ReservationLedger();
  private final FakeBook book = new FakeBook();

  @Test
  void aRequestFitsWhenItsBoundIsAtMostLimitMinusSpentMinusOutstanding() {
    assertThat(ReservationLedger.fits(4_000, 20_000, 10_000, 6_000)).isTrue();
    assertThat(ReservationLedger.fits(4_001, 20_000, 10_000, 6_000)).isFalse();
    assertThat(ReservationLedger.fits(0, 20_000, 25_000, 0)).isFalse(); // overspent: no room at all
    assertThat(ReservationLedger.fits(0, 20_000, 20_000, 0)).isTrue();
    assertThat(ReservationLedger.room(Long.MAX_VALUE, -1, 0)).isEqualTo(Long.MAX_VALUE);
    assertThat(ReservationLedger.room(Long.MIN_VALUE, 1, 1)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void sumsOutstandingBoundsPerBudget() {
    ledger.add(Reservation.of("req_1", "acme", 1_000, LATER, List.of("b_day", "b_month")));
    ledger.add(Reservation.of("req_2", "acme", 2_500, LATER, List.of("b_day")));

    assertThat(ledger.outstanding("b_day")).isEqualTo(3_500);
    assertThat(ledger.outstanding("b_month")).isEqualTo(1_000);
    assertThat(ledger.outstanding("b_other")).isZero();
  }

  @Test
  void seenUsageSettlesOnlyOnceTheBudgetHasBookedIt() {
    ledger.add(Reservation.of("req_1", "acme", 1_000, LATER, List.of("b_day")));

    final ReservationLedger.Changes seen = ledger.usageSeen("req_1", 3, 40, book);
    assertThat(seen.updated()).singleElement()
        .satisfies(r -> assertThat(r.usageOffset()).isEqualTo(40));
    assertThat(ledger.outstanding("b_day")).isEqualTo(1_000);

    book.mark("b_day", 3, 39);
    assertThat(ledger.sweep("acme", NOW, book).isEmpty()).isTrue();
    assertThat(ledger.outstanding("b_day")).isEqualTo(1_000);

    book.mark("b_day", 3, 40);
    assertThat(ledger.sweep("acme", NOW, book).removed()).containsExactly("req_1");
    assertThat(ledger.outstanding("b_day")).isZero();
    assertThat(ledger.size()).isZero();
  }

  @Test
  void eachBudgetLetsGoWhenItHasBookedTheUsage() {
    ledger.add(Reservation.of("req_1", "acme", 1_000, LATER, List.of("b_day", "b_plan")));
    book.mark("b_day", 0, 7);

    final ReservationLedger.Changes seen = ledger.usageSeen("req_1", 0, 7, book);

    assertThat(seen.updated()).singleElement()
        .satisfies(r -> assertThat(r.budgetIds()).containsExactly("b_plan"));
    assertThat(ledger.outstanding("b_day")).isZero();
    assertThat(ledger.outstanding("b_plan")).isEqualTo(1_000);
  }

  @Test
  void usageAlreadyBookedWhenSeenSettlesAtOnceAndASecondSightingChangesNothing() {
    ledger.add(Reservation.of("req_1", "acme", 1_000, LATER, List.of("b_day")));
    ledger.add(Reservation.of("req_2", "acme", 1_000, LATER, List.of("b_day")));
    book.mark("b_day", 0, 9);

    assertThat(ledger.usageSeen("req_1", 0, 5, book).removed()).containsExactly("req_1");
    assertThat(ledger.usageSeen("req_1", 0, 6, book).isEmpty()).isTrue();
    assertThat(ledger.usageSeen("req_unknown", 0, 6, book).isEmpty()).isTrue();
    assertThat(ledger.usageSeen("req_2", 1, 0, book).removed()).isEmpty(); // another partition
    assertThat(ledger.usageSeen("req_2", 0, 8, book).isEmpty()).isTrue(); // first sighting kept
    assertThat(ledger.outstanding("b_day")).isEqualTo(1_000);
  }

  @Test
  void releasesAtTheReleaseTimeWithOrWithoutUsage() {
    ledger.add(Reservation.of("req_1", "acme", 1_000, NOW.plusSeconds(10), List.of("b")));
    ledger.add(Reservation.of("req_2", "other", 2_000, NOW.plusSeconds(20), List.of("c")));
    ledger.usageSeen("req_2", 0, 1, book);

    assertThat(ledger.sweepAll(NOW.plusSeconds(9), book).removed()).isEmpty();
    assertThat(ledger.sweepAll(NOW.plusSeconds(10), book).removed()).containsExactly("req_1");
    assertThat(ledger.sweep("other", NOW.plusSeconds(20), book).removed()).containsExactly("req_2");
    assertThat(ledger.size()).isZero();
    assertThat(ledger.outstanding("c")).isZero();
  }

  @Test
  void releaseTimeIsTheDeadlineOrReceiptPlusHoldThenTheGrace() {
    final ReservationPolicy policy = ReservationPolicy.defaults();
    final ChatRequest noDeadline = ChatRequest.newBuilder().setCorrelationId("req_1")
        .setSessionId("s").setTenant("acme").setReceivedAt(NOW).build();
    final ChatRequest withDeadline = ChatRequest.newBuilder(noDeadline)
        .setDeadline(NOW.plusSeconds(3)).build();

    assertThat(ReserveBudgetProcessor.releaseAt(noDeadline, NOW, policy))
        .isEqualTo(NOW.plus(Duration.ofSeconds(65)));
    assertThat(ReserveBudgetProcessor.releaseAt(withDeadline, NOW, policy))
        .isEqualTo(NOW.plusSeconds(8));
    // Routed late (a lagging router): never released before now + grace.
    assertThat(ReserveBudgetProcessor.releaseAt(withDeadline, NOW.plusSeconds(30), policy))
        .isEqualTo(NOW.plusSeconds(35));
  }

  @Test
  void reservationsAndEventsSurviveTheirSerdes() {
    final Reservation held = Reservation.of("req_1", "acme", 1_234, LATER, List.of("b", "c|d"))
        .withUsage(2, 99);
    assertThat(Reservation.decode(Reservation.encode(held))).isEqualTo(held);

    final Serde<ReservationEvent> events =
        ReservationEvent.serde(Topics.ROUTED.valueSerde(SerdeFactory.schemaless()));
    final ReservationEvent seen = new ReservationEvent.UsageSeen("req_1", 3, 77);
    final RoutedRequest routed = RoutedRequest.newBuilder()
        .setRequest(ChatRequest.newBuilder().setCorrelationId("req_2").setSessionId("s")
            .setTenant("acme").setReceivedAt(NOW).build())
        .setDecision(RoutingDecision.newBuilder().setModelChain(List.of("openai/gpt-5"))
            .setTier("frontier").setMode("plan").setRuleKey("frontier/plan").setReason("r")
            .setReservedMicros(5).setRoutedAt(NOW).build())
        .build();
    final ReservationEvent reserve = new ReservationEvent.Reserve(routed);
    assertThat(events.deserializer().deserialize("t", events.serializer().serialize("t", seen)))
        .isEqualTo(seen);
    assertThat(events.deserializer().deserialize("t", events.serializer().serialize("t", reserve)))
        .isEqualTo(reserve);
  }

  @Test
  void readsPerModelOutputReservationsFromTheEnvironment() {
    final ReservationPolicy policy = ReservationPolicy.fromEnv(Map.of(
        ReservationPolicy.OUTPUT_TOKENS.name(), "512",
        ReservationPolicy.OUTPUT_MODELS.name(), "openai/GPT-5=4096, openai/gpt-5-nano=256"));

    assertThat(policy.outputTokens("openai/gpt-5")).isEqualTo(4_096);
    assertThat(policy.outputTokens("openai/gpt-5-nano")).isEqualTo(256);
    assertThat(policy.outputTokens("openai/gpt-4.1")).isEqualTo(512);
    assertThat(ReservationPolicy.fromEnv(Map.of()).outputTokens("x/y"))
        .isEqualTo(ReservationPolicy.DEFAULT_OUTPUT_TOKENS);
  }

  /** Booked marks set by hand. */
  private static final class FakeBook implements BudgetBook {
    private final Map<String, Long> marks = new HashMap<>();

    void mark(final String budgetId, final int partition, final long offset) {
      marks.put(budgetId + "/" + partition, offset);
    }

    @Override
    public long spent(final Budget budget, final Instant now) {
      return 0;
    }

    @Override
    public boolean booked(final String budgetId, final int partition, final long offset) {
      final Long mark = marks.get(budgetId + "/" + partition);
      return mark != null && mark >= offset;
    }
  }
}
