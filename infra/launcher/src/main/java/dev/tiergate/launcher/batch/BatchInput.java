package dev.tiergate.launcher.batch;

import dev.tiergate.launcher.batch.BatchLineParser.MalformedLineException;
import dev.tiergate.runtime.BatchIds;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed batch input file: the items that parsed, and the malformed lines (by 1-based line
 * number, with the reason) that were skipped so the rest can run. Blank lines are ignored.
 *
 * @param contentHash SHA-256 of the file's bytes
 */
public record BatchInput(
    String batchId, String contentHash, List<ChatRequest> items, List<SkippedLine> skipped) {

  /** How many skipped line numbers the manifest keeps. */
  private static final int MAX_SKIPPED_IN_MANIFEST = 1_000;

  /** One line that was reported and skipped. */
  public record SkippedLine(long lineNumber, String reason) {
    public SkippedLine {
      Objects.requireNonNull(reason, "reason");
    }
  }

  public BatchInput {
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(contentHash, "contentHash");
    items = List.copyOf(items);
    skipped = List.copyOf(skipped);
  }

  /**
   * Parses the file's content.
   *
   * @param batchId the batch id to use, or null to derive it from the content
   */
  public static BatchInput parse(
      final byte[] content,
      final String batchId,
      final BatchDefaults defaults,
      final BatchLineParser parser) {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(parser, "parser");
    final String id = batchId != null ? batchId : BatchIds.batchIdForContent(content);
    final List<ChatRequest> items = new ArrayList<>();
    final List<SkippedLine> skipped = new ArrayList<>();
    final Set<String> customIds = new HashSet<>();
    final String[] lines = new String(content, StandardCharsets.UTF_8).split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      try {
        final ChatRequest item = parser.parse(lines[i], id, defaults);
        if (!customIds.add(item.getBatchItemId())) {
          throw new MalformedLineException("duplicate custom_id " + item.getBatchItemId());
        }
        items.add(item);
      } catch (MalformedLineException e) {
        skipped.add(new SkippedLine(i + 1L, e.getMessage()));
      }
    }
    return new BatchInput(id, BatchIds.sha256Hex(content), items, skipped);
  }

  /**
   * The batch's manifest as {@code tiergate batch submit} publishes it ({@link BatchClient#publish}
   * sets whether its items are complete).
   *
   * @param source the input file's name
   */
  public BatchManifest manifest(
      final BatchDefaults defaults, final String source, final Instant submittedAt) {
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(submittedAt, "submittedAt");
    return BatchManifest.newBuilder()
        .setBatchId(batchId)
        .setTenant(defaults.tenant())
        .setTotal(items.size())
        .setSkippedLines(skipped.size())
        .setSkippedLineNumbers(
            skipped.stream()
                .limit(MAX_SKIPPED_IN_MANIFEST)
                .map(SkippedLine::lineNumber)
                .toList())
        .setMode(defaults.mode())
        .setTier(defaults.tier().id())
        .setFeature(defaults.feature())
        .setSource(source)
        .setContentHash(contentHash)
        .setSubmittedAt(submittedAt.truncatedTo(ChronoUnit.MILLIS))
        .build();
  }
}
