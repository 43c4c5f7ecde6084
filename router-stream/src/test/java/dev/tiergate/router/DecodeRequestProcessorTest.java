package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.ConnectException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class DecodeRequestProcessorTest {

  @Test
  void treatsUnreachableRegistryAsTransient() {
    final RuntimeException error =
        new IllegalStateException("registry call failed", new ConnectException("refused"));

    assertThat(DecodeRequestProcessor.isTransient(error)).isTrue();
  }

  @Test
  void treatsBadBytesAsPoison() {
    final RuntimeException error =
        new SerializationException("cannot decode ChatRequest", new EOFException());

    assertThat(DecodeRequestProcessor.isTransient(error)).isFalse();
    assertThat(DecodeRequestProcessor.isTransient(new IllegalStateException("bad magic byte")))
        .isFalse();
  }
}
