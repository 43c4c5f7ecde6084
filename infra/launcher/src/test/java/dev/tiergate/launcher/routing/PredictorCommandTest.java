package dev.tiergate.launcher.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.launcher.TiergateCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PredictorCommandTest {

  @TempDir Path dir;

  @Test
  void evalPrintsTheSummaryLineLast() throws Exception {
    final Path file = dir.resolve("prompts.jsonl");
    Files.write(file, List.of(
        line("gsm8k", "Tom has 3 apples and buys 4 more. How many apples now?", false, true),
        line("mmlu/law", "Which doctrine applies to the contract?\\nA. x\\nB. y\\nAnswer:", true, true),
        "",
        line("mmlu/math", "Find the degree of Q(sqrt 2) over Q.\\nA. 1\\nB. 2\\nAnswer:", false, false),
        line("mmlu/art", "Who painted the Mona Lisa?\\nA. Leonardo\\nB. Monet\\nAnswer:", true, false)));
    final StringWriter out = new StringWriter();

    final int exit = TiergateCli.commandLine()
        .setOut(new PrintWriter(out, true))
        .execute("predictor", "eval", file.toString());

    final List<String> lines = out.toString().lines().toList();
    assertThat(exit).isZero();
    assertThat(lines.get(lines.size() - 1))
        .matches("APGR=-?\\d\\.\\d{3} CPT50=\\d{1,3}\\.\\d% CPT80=\\d{1,3}\\.\\d% n=4");
  }

  @Test
  void evalPrintsTheCostQualityCurveAndWritesItAsAPng() throws Exception {
    final Path file = dir.resolve("prompts.jsonl");
    Files.write(file, List.of(
        line("gsm8k", "Tom has 3 apples and buys 4 more. How many apples now?", false, true),
        line("mmlu/law", "Which doctrine applies to the contract?\\nA. x\\nB. y\\nAnswer:", true, true),
        line("mmlu/math", "Find the degree of Q(sqrt 2) over Q.\\nA. 1\\nB. 2\\nAnswer:", false, true)));
    final Path png = dir.resolve("curve.png");
    final StringWriter out = new StringWriter();

    final int exit = TiergateCli.commandLine()
        .setOut(new PrintWriter(out, true))
        .execute("predictor", "eval", file.toString(), "--plot", png.toString());

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("strong share   PGR     accuracy").contains("100%  ");
    final byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes.length).isGreaterThan(1000);
    // The PNG signature: \x89 P N G \r \n \x1a \n.
    assertThat(java.util.Arrays.copyOf(bytes, 8))
        .containsExactly(0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a);
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(800);
  }

  @Test
  void evalFailsOnALineWithoutLabels() throws Exception {
    final Path file = dir.resolve("bad.jsonl");
    Files.write(file, List.of("{\"source\": \"gsm8k\", \"prompt\": \"2+2?\"}"));
    final StringWriter err = new StringWriter();

    final int exit = TiergateCli.commandLine()
        .setErr(new PrintWriter(err, true))
        .execute("predictor", "eval", file.toString());

    assertThat(exit).isNotZero();
    assertThat(err.toString()).contains("bad.jsonl:1: needs prompt, weak_correct and strong_correct");
  }

  private static String line(
      final String source, final String prompt, final boolean weak, final boolean strong) {
    return "{\"source\": \"" + source + "\", \"prompt\": \"" + prompt + "\", \"weak_correct\": "
        + weak + ", \"strong_correct\": " + strong + "}";
  }
}
