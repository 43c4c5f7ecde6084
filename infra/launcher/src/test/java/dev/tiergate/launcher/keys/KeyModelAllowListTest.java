package dev.tiergate.launcher.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.launcher.TiergateCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code keys create --models} takes explicit {@code provider/model} ids only, and says so before
 * anything is written (no cluster is reachable here; the allow-list that is stored is shown by the
 * end-to-end ExplicitModelAccessTest).
 */
class KeyModelAllowListTest {

  @Test
  void virtualOrBareModelIdsAreRefusedWithExitCode2() {
    final StringWriter err = new StringWriter();

    final int virtual = create(err, "openai/gpt-5,auto/frontier");
    final int bare = create(err, "gpt-5");

    assertThat(virtual).isEqualTo(2);
    assertThat(bare).isEqualTo(2);
    assertThat(err.toString())
        .contains("'auto/frontier' is not an explicit provider/model id")
        .contains("'gpt-5' is not an explicit provider/model id");
  }

  private static int create(final StringWriter err, final String models) {
    return TiergateCli.commandLine()
        .setOut(new PrintWriter(new StringWriter(), true))
        .setErr(new PrintWriter(err, true))
        .execute("keys", "create", "--tenant", "acme", "--models", models,
            "--bootstrap-servers", "127.0.0.1:1", "--registry-url", "http://127.0.0.1:1");
  }
}
