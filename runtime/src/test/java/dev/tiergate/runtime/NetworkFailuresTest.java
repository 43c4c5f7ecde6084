package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.net.ConnectException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class NetworkFailuresTest {

  @Test
  void treatsUnreachableRegistryAsNetwork() {
    final RuntimeException error =
        new IllegalStateException("registry call failed", new ConnectException("refused"));

    assertThat(NetworkFailures.isNetwork(error)).isTrue();
  }

  @Test
  void treatsBadBytesAsTheRecords() {
    final RuntimeException error =
        new SerializationException("cannot decode ChatRequest", new EOFException());

    assertThat(NetworkFailures.isNetwork(error)).isFalse();
    assertThat(NetworkFailures.isNetwork(new IllegalStateException("bad magic byte"))).isFalse();
  }

  @Test
  void stopsOnACauseChainThatLoops() {
    final IllegalStateException first = new IllegalStateException("first");
    final IllegalStateException second = new IllegalStateException("second", first);
    first.initCause(second);

    assertThat(NetworkFailures.isNetwork(first)).isFalse();
  }
}
