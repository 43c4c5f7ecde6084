package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one exit policy every service's {@code main} has. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServiceMainTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<Thread> hooks = new ArrayList<>();

  @Test
  void aWrongSettingIsOneLineAndExitCode2() {
    final int code = run(() -> {
      throw new IllegalArgumentException("missing required setting KAFKA_BOOTSTRAP_SERVERS");
    });

    assertThat(code).isEqualTo(ServiceMain.REFUSED);
    assertThat(stderr()).isEqualTo("tiergate test refuses to start: a setting is wrong: "
        + "missing required setting KAFKA_BOOTSTRAP_SERVERS\n");
  }

  @Test
  void aRefusedStartIsOneLineExitCode2AndTheServiceIsClosed() {
    final FakeService service = new FakeService(new StartRefusedException("no virtual keys"));

    assertThat(run(() -> service)).isEqualTo(ServiceMain.REFUSED);
    assertThat(stderr()).isEqualTo("tiergate test refuses to start: no virtual keys\n");
    assertThat(service.closes).hasValue(1);
  }

  @Test
  void aFailedStartExits1AndClosesTheService() {
    final FakeService service = new FakeService(new IllegalStateException("broker gone"));

    assertThat(run(() -> service)).isEqualTo(ServiceMain.FAILED);
    assertThat(service.closes).hasValue(1);
    assertThat(stderr()).isEmpty();
  }

  @Test
  void aServiceThatStopsOnAFailureOfItsOwnExits1() {
    final FakeService service = new FakeService(null);
    service.failWith(new IllegalStateException("stream ERROR"));

    assertThat(run(() -> service)).isEqualTo(ServiceMain.FAILED);
    assertThat(service.closes).hasValue(1);
  }

  @Test
  void aServiceStoppedBySignalExitsNormally() throws Exception {
    final FakeService service = new FakeService(null);
    final CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> run(() -> service));
    service.started.await();

    hooks.get(0).run();

    assertThat(code.get(10, TimeUnit.SECONDS)).isEqualTo(ServiceMain.OK);
    assertThat(service.closes.get()).isPositive();
  }

  private int run(final java.util.function.Supplier<RunnableService> create) {
    return ServiceMain.run("test", create, new PrintStream(err, true, StandardCharsets.UTF_8),
        hooks::add);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** A service whose start throws {@code startFailure} (if any) and that runs until closed. */
  private static final class FakeService implements RunnableService {
    private final RuntimeException startFailure;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger closes = new AtomicInteger();
    private volatile Throwable failure;

    FakeService(final RuntimeException startFailure) {
      this.startFailure = startFailure;
    }

    void failWith(final Throwable error) {
      failure = error;
      stopped.countDown();
    }

    @Override
    public void start() {
      if (startFailure != null) {
        throw startFailure;
      }
      started.countDown();
    }

    @Override
    public Optional<Throwable> awaitStopped() throws InterruptedException {
      stopped.await();
      return Optional.ofNullable(failure);
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      stopped.countDown();
    }
  }
}
