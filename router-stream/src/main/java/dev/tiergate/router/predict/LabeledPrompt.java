package dev.tiergate.router.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.runtime.EntryPoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One line of a RouteLLM-style evaluation file: a prompt, where it comes from ({@code mmlu/<domain>}
 * or {@code gsm8k}), and whether the weak and the strong model answered it correctly.
 */
@EntryPoint
public record LabeledPrompt(
    String source, String prompt, boolean weakCorrect, boolean strongCorrect) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public LabeledPrompt {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(prompt, "prompt");
  }

  /** Reads a JSONL file; a malformed line fails with its line number. */
  public static List<LabeledPrompt> readJsonl(final Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    final List<LabeledPrompt> rows = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        if (!line.isBlank()) {
          rows.add(parse(line, file, lineNumber));
        }
      }
    }
    return rows;
  }

  private static LabeledPrompt parse(final String line, final Path file, final int lineNumber)
      throws IOException {
    final JsonNode node = JSON.readTree(line);
    final String where = file.getFileName() + ":" + lineNumber;
    if (node == null || !node.hasNonNull("prompt")
        || !node.hasNonNull("weak_correct") || !node.hasNonNull("strong_correct")) {
      throw new IOException(where + ": needs prompt, weak_correct and strong_correct");
    }
    return new LabeledPrompt(
        node.path("source").asText("unknown"),
        node.get("prompt").asText(),
        node.get("weak_correct").asBoolean(),
        node.get("strong_correct").asBoolean());
  }

  /** The MMLU domain or the benchmark name: what a held-out split groups by. */
  public String domain() {
    return source;
  }
}
