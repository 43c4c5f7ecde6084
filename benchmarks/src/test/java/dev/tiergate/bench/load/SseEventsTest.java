package dev.tiergate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SseEventsTest {

  private final SseEvents events = new SseEvents();

  @Test
  void yieldsTheDataOfEveryEventAPieceCompletes() {
    assertThat(events.feed(bytes("data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n")))
        .containsExactly("{\"a\":1}", "{\"a\":2}", "[DONE]");
  }

  @Test
  void holdsAnEventSplitAcrossPiecesUntilItsBlankLine() {
    assertThat(events.feed(bytes("data: {\"con"))).isEmpty();
    assertThat(events.feed(bytes("tent\":\"hi\"}\n"))).isEmpty();
    assertThat(events.feed(bytes("\ndata: [DO"))).containsExactly("{\"content\":\"hi\"}");
    assertThat(events.feed(bytes("NE]\n\n"))).containsExactly("[DONE]");
  }

  @Test
  void acceptsCrLfAndCrLineEndsEvenWhenCrAndLfArriveApart() {
    assertThat(events.feed(bytes("data: one\r\n\r\ndata: two\r"))).containsExactly("one");
    assertThat(events.feed(new byte[0])).isEmpty();
    assertThat(events.feed(bytes("\n\r"))).containsExactly("two");
    assertThat(events.feed(bytes("data: three\r\r"))).containsExactly("three");
  }

  @Test
  void skipsCommentsOtherFieldsAndEventsWithoutData() {
    assertThat(events.feed(bytes(": keep-alive\n\nevent: ping\nid: 7\n\nevent: message\ndata: x\n\n")))
        .containsExactly("x");
  }

  @Test
  void joinsMultiLineDataWithNewlinesAndDropsOnlyOneLeadingSpace() {
    assertThat(events.feed(bytes("data:first\ndata:  second\ndata\n\n")))
        .containsExactly("first\n second\n");
  }

  @Test
  void decodesACharacterWhoseBytesArriveInTwoPieces() {
    final byte[] whole = bytes("data: {\"content\":\"é€\"}\n\n");
    final int split = "data: {\"content\":\"".length() + 1; // inside the two bytes of é

    assertThat(events.feed(Arrays.copyOfRange(whole, 0, split))).isEmpty();
    assertThat(events.feed(Arrays.copyOfRange(whole, split, whole.length)))
        .containsExactly("{\"content\":\"é€\"}");
  }

  @Test
  void growsForLinesLongerThanItsBuffer() {
    final String big = "x".repeat(5_000);

    assertThat(events.feed(bytes("data: " + big.substring(0, 2_000)))).isEmpty();
    assertThat(events.feed(bytes(big.substring(2_000) + "\n\n"))).containsExactly(big);
  }

  private static byte[] bytes(final String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
