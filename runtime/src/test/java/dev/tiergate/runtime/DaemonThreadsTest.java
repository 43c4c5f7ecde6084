package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

  @Test
  void makesNamedDaemonThreadsThatRunTheirTask() throws InterruptedException {
    final CountDownLatch ran = new CountDownLatch(1);

    final Thread thread = DaemonThreads.named("tiergate-test-helper").newThread(ran::countDown);
    thread.start();

    assertThat(thread.isDaemon()).isTrue();
    assertThat(thread.getName()).isEqualTo("tiergate-test-helper");
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }
}
