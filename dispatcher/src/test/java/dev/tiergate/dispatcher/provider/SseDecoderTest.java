package dev.tiergate.dispatcher.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

  @Test
  void reassemblesEventsSplitAcrossChunksEvenInsideACharacter() {
    final byte[] stream =
        "event: delta\r\ndata: {\"t\":\"héllo ✓\"}\r\n\r\n: keep-alive\n\ndata: a\ndata: b\n\n"
            .getBytes(StandardCharsets.UTF_8);
    final SseDecoder decoder = new SseDecoder();
    final List<SseEvent> events = new ArrayList<>();
    for (int i = 0; i < stream.length; i += 3) {
      events.addAll(decoder.feed(Arrays.copyOfRange(stream, i, Math.min(stream.length, i + 3))));
    }
    events.addAll(decoder.finish());

    assertThat(events)
        .containsExactly(new SseEvent("delta", "{\"t\":\"héllo ✓\"}"), new SseEvent(null, "a\nb"));
  }

  @Test
  void deliversAnUnterminatedLastEventOnFinish() {
    final SseDecoder decoder = new SseDecoder();

    assertThat(decoder.feed("data: [DONE]".getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(decoder.finish()).containsExactly(new SseEvent(null, "[DONE]"));
  }
}
