package dev.tiergate.launcher.routing;

import dev.tiergate.launcher.CommandGroup;
import dev.tiergate.router.predict.BlendedPredictor;
import dev.tiergate.router.predict.DifficultyPredictor;
import dev.tiergate.router.predict.DifficultyScorer;
import dev.tiergate.router.predict.PredictorComparison;
import dev.tiergate.router.predict.PromptEmbedder;
import dev.tiergate.router.predict.LabeledPrompt;
import dev.tiergate.router.predict.PredictorTrainer;
import dev.tiergate.router.predict.PredictorTraining;
import dev.tiergate.router.predict.RoutingEvaluation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tiergate predictor train | eval FILE.jsonl}: the difficulty predictor the router uses for
 * requests without a mode. {@code train} reports held-out APGR per MMLU-domain fold and writes the
 * model resource; {@code eval} scores a RouteLLM-format file and ends with the summary line.
 */
@Command(
    name = "predictor",
    description = "Train or evaluate the difficulty predictor used when a request has no mode.",
    subcommands = {PredictorCommand.Train.class, PredictorCommand.Eval.class,
        PredictorCommand.Compare.class})
public final class PredictorCommand extends CommandGroup {

  @Command(name = "train", description = "Train on a RouteLLM-format JSONL file and write the model (run from the repo root).")
  static final class Train implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin TrainingData data;

    @Option(names = "--out", description = "N-gram model file to write (default: ${DEFAULT-VALUE}).")
    Path out = Path.of(PredictorTraining.DEFAULT_MODEL_OUT);

    @Option(names = "--blended-out", description = "Blended model file to write (default: ${DEFAULT-VALUE}).")
    Path blendedOut = Path.of(PredictorTraining.DEFAULT_BLENDED_OUT);

    @Option(names = "--embedding-cache", description = "Keep computed embeddings in this file to retrain faster (default: none).")
    Path embeddingCache;

    @Option(names = "--ngram-only", description = "Train the n-gram model only (no embeddings, seconds).")
    boolean ngramOnly;

    @Override
    public Integer call() throws IOException {
      return reporting(spec, report -> PredictorTraining.trainAndWrite(data.path, out,
          ngramOnly ? null : blendedOut, embeddingCache, PredictorTrainer.Options.defaults(), report));
    }
  }

  @Command(name = "eval", description = "Score a RouteLLM-format JSONL file; the last line is APGR=… CPT50=… CPT80=… n=….")
  static final class Eval implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "Prompts with weak_correct/strong_correct.")
    Path file;

    @Option(names = "--model", description = "A model file written by train, blended or n-gram (default: the shipped blended model).")
    Path model;

    @Option(names = "--plot", paramLabel = "curve.png", description = "Also draw the cost-quality curve as a PNG.")
    Path plot;

    @Override
    public Integer call() throws IOException {
      final List<LabeledPrompt> prompts = LabeledPrompt.readJsonl(file);
      final DifficultyScorer scorer = load();
      final double[] scores = PredictorTraining.scores(scorer, prompts);
      final RoutingEvaluation result = RoutingEvaluation.of(prompts, scores);
      final List<RoutingEvaluation.CurvePoint> curve = RoutingEvaluation.curve(prompts, scores, 20);
      final PrintWriter out = spec.commandLine().getOut();
      out.println("cost-quality curve (strong share = the key's strong-share knob):");
      out.println("strong share   PGR     accuracy");
      for (final RoutingEvaluation.CurvePoint point : curve) {
        out.printf(Locale.ROOT, "%11.0f%%  %6.1f%%  %6.1f%%%n", point.strongShare() * 100,
            point.pgr() * 100, point.accuracy() * 100);
      }
      if (plot != null) {
        CostQualityPlot.write(curve, "Tiergate predictor on " + file.getFileName() + " ("
            + result.summaryLine() + ")", plot);
        out.println("wrote " + plot);
      }
      out.println(result.summaryLine());
      out.flush();
      return 0;
    }

    private DifficultyScorer load() throws IOException {
      if (model == null) {
        return BlendedPredictor.loadDefault();
      }
      try (InputStream in = Files.newInputStream(model)) {
        return new BlendedPredictor(BlendedPredictor.read(in),
            new PromptEmbedder(BlendedPredictor.ENCODER)::embed);
      } catch (IOException notBlended) {
        try (InputStream in = Files.newInputStream(model)) {
          return DifficultyPredictor.read(in);
        }
      }
    }
  }

  @Command(name = "compare", description = "Cross-validate every predictor variant by domain and print the comparison table (run from the repo root).")
  static final class Compare implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin TrainingData data;

    @Option(names = "--embedding-cache", description = "Computed embeddings are kept here (default: ${DEFAULT-VALUE}).")
    Path embeddingCache = Path.of("router-stream/target/predictor-embeddings.bin.gz");

    @Option(names = "--only", description = "Only the variants whose name contains this.")
    String only = "";

    @Override
    public Integer call() throws IOException {
      return reporting(spec, report -> PredictorComparison.compare(data.path, embeddingCache, only, report));
    }
  }

  /** What writes a report to a PrintStream (the training API's). */
  @FunctionalInterface
  private interface ReportWriter {
    void write(PrintStream report) throws IOException;
  }

  /** Runs a report writer against the command line's out; exit code 0. */
  /** {@code --data}: the RouteLLM-format JSONL file the predictor learns from. */
  static final class TrainingData {
    @Option(names = "--data", description = "Training data (default: ${DEFAULT-VALUE}).")
    Path path = Path.of(PredictorTraining.DEFAULT_DATA);
  }

  private static int reporting(final CommandSpec spec, final ReportWriter writer) throws IOException {
    try (PrintStream report = new PrintStream(
        new WriterOutputStream(spec.commandLine().getOut()), true, StandardCharsets.UTF_8)) {
      writer.write(report);
    }
    return 0;
  }

  /** Lets the training report (a PrintStream API) write to picocli's writer. */
  private static final class WriterOutputStream extends OutputStream {
    private final PrintWriter writer;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    WriterOutputStream(final PrintWriter writer) {
      this.writer = writer;
    }

    @Override
    public void write(final int b) {
      line.write(b);
      if (b == '\n') {
        flush();
      }
    }

    @Override
    public void flush() {
      writer.print(line.toString(StandardCharsets.UTF_8));
      writer.flush();
      line.reset();
    }
  }
}
