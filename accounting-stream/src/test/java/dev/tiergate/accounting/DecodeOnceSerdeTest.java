package dev.tiergate.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class DecodeOnceSerdeTest {

  private final AtomicInteger decodes = new AtomicInteger();
  private final Serde<String> counting = Serdes.serdeFrom(Serdes.String().serializer(),
      (topic, data) -> {
        decodes.incrementAndGet();
        return data == null ? null : new String(data, StandardCharsets.UTF_8);
      });

  @Test
  void decodesTheSameBytesOnceAndChangedBytesAnew() {
    final Deserializer<String> deserializer = new DecodeOnceSerde<>(counting).deserializer();
    final byte[] first = "gpt-5 at 10".getBytes(StandardCharsets.UTF_8);

    final String decoded = deserializer.deserialize("t", first);
    assertThat(deserializer.deserialize("t", first.clone())).isSameAs(decoded);
    // The caller's array reused for another record: the cached key is a copy of the bytes.
    first[first.length - 1] = '1';
    assertThat(deserializer.deserialize("t", first)).isEqualTo("gpt-5 at 11");
    assertThat(deserializer.deserialize("t", "gpt-5 at 10".getBytes(StandardCharsets.UTF_8)))
        .isSameAs(decoded);
    assertThat(decodes).hasValue(2);
  }

  @Test
  void staysBoundedByStartingAgainWhenFull() {
    final DecodeOnceSerde<String> serde = new DecodeOnceSerde<>(counting);
    final Deserializer<String> deserializer = serde.deserializer();
    for (int i = 0; i <= DecodeOnceSerde.MAX_VALUES; i++) {
      deserializer.deserialize("t", ("model-" + i).getBytes(StandardCharsets.UTF_8));
    }
    assertThat(serde.size()).isEqualTo(1);
    assertThat(deserializer.deserialize("t", null)).isNull();
  }
}
