package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.schemas.SpendAggregate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SpendPageTest {

  private static final SpendScope SCOPE =
      new SpendScope("acme", SpendDimension.SESSION, SpendWindow.TOTAL);
  private static final List<SpendAggregate> SESSIONS = IntStream.range(0, 250)
      .mapToObj(i -> aggregate(String.format("sess-%03d", i), i + 1))
      .toList();

  @Test
  void walksEveryRowOnceWithTheCursorAndKeepsTheTotalOfAll() {
    final List<String> seen = new ArrayList<>();
    SpendPage page = new SpendPage(100, Optional.empty());
    int pages = 0;
    while (true) {
      final SpendReport report =
          SpendReport.page(SCOPE, SESSIONS, page);
      pages++;
      assertThat(report.rows()).hasSizeLessThanOrEqualTo(100);
      assertThat(report.totalMicros()).isEqualTo(250L * 251 / 2);
      report.rows().forEach(row -> seen.add(row.value()));
      if (report.nextCursor() == null) {
        break;
      }
      page = SpendPage.parse(Optional.of("100"), Optional.of(report.nextCursor()));
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(SESSIONS.stream().map(SpendAggregate::getValue).toList());
  }

  @Test
  void defaultsTo100RowsAndRefusesMoreThan1000() {
    final SpendPage first = SpendPage.parse(Optional.empty(), Optional.empty());
    assertThat(first.limit()).isEqualTo(SpendPage.DEFAULT_LIMIT).isEqualTo(100);
    assertThat(SpendPage.parse(Optional.of("1000"), Optional.empty()).limit()).isEqualTo(1000);
    assertThatThrownBy(() -> SpendPage.parse(Optional.of("1001"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000");
    assertThatThrownBy(() -> SpendPage.parse(Optional.of("0"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpendPage.parse(Optional.of("ten"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cursorIsStableAndRejectsForgeries() {
    assertThat(SpendPage.cursorAfter("sess-099")).isEqualTo(SpendPage.cursorAfter("sess-099"));
    assertThat(SpendPage.parse(Optional.empty(), Optional.of(SpendPage.cursorAfter("a|b%c"))).after())
        .contains("a|b%c");
    assertThatThrownBy(() -> SpendPage.parse(Optional.empty(), Optional.of("not*base64")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpendPage.parse(Optional.empty(), Optional.of("c2Vzcy0x")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lastPageHasNoCursor() {
    final SpendReport report = SpendReport.page(SCOPE, SESSIONS.subList(0, 3), SpendPage.FIRST);
    assertThat(report.rows()).hasSize(3);
    assertThat(report.nextCursor()).isNull();
  }

  private static SpendAggregate aggregate(final String value, final long costMicros) {
    return SpendAggregate.newBuilder()
        .setTenant("acme")
        .setDimension("session")
        .setValue(value)
        .setWindow("total")
        .setWindowStart(Instant.EPOCH)
        .setRequests(1)
        .setCostMicros(costMicros)
        .build();
  }
}
