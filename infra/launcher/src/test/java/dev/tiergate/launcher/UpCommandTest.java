package dev.tiergate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.accounting.AccountingConfig;
import dev.tiergate.dispatcher.DispatcherConfig;
import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.router.RouterConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class UpCommandTest {

  @Test
  void bindsThisMachineOnlyUnlessTold() {
    final UpCommand defaults = new UpCommand();
    new CommandLine(defaults).parseArgs();
    final UpCommand exposed = new UpCommand();
    new CommandLine(exposed).parseArgs("--host", "0.0.0.0");

    assertThat(defaults.host).isEqualTo("127.0.0.1");
    assertThat(exposed.host).isEqualTo("0.0.0.0");
    assertThat(TiergateStack.bindEnv("10.1.2.3")).containsOnlyKeys(
        IngressConfig.HOST.name(), AccountingConfig.HOST.name(), RouterConfig.HOST.name(),
        DispatcherConfig.METRICS_HOST.name())
        .allSatisfy((name, host) -> assertThat(host).isEqualTo("10.1.2.3"));
  }

  @Test
  void warnsInOneLineThatTheDemoKeyMayUseEveryTier() {
    assertThat(UpCommand.demoWarning("127.0.0.1"))
        .contains("tg-demo-key", "every tier", "127.0.0.1", "this machine only")
        .doesNotContain("\n");
    assertThat(UpCommand.demoWarning("0.0.0.0")).contains("reachable from the network");
  }
}
