package dev.tiergate.launcher.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.batch.BatchInput.SkippedLine;
import dev.tiergate.runtime.BatchIds;
import dev.tiergate.runtime.Tier;
import dev.tiergate.schemas.ApiKind;
import dev.tiergate.schemas.BatchManifest;
import dev.tiergate.schemas.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchInputTest {

  private static final BatchLineParser PARSER =
      new BatchLineParser(
          new ObjectMapper(), Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));
  private static final BatchDefaults DEFAULTS =
      new BatchDefaults("acme", "background", Tier.SMALL, "nightly");

  @Test
  void parsesOpenAiBatchLinesIntoBatchItemsWithDeterministicIds() {
    final BatchInput input = parse(line("a", "Summarise A"), line("b", "Summarise B"));

    assertThat(input.skipped()).isEmpty();
    assertThat(input.batchId()).startsWith("batch_");
    final ChatRequest first = input.items().get(0);
    assertThat(first.getBatchId()).isEqualTo(input.batchId());
    assertThat(first.getBatchItemId()).isEqualTo("a");
    assertThat(first.getCorrelationId())
        .isEqualTo(BatchIds.itemCorrelationId(input.batchId(), "a"));
    assertThat(first.getSessionId()).isEqualTo(BatchIds.itemSessionId(input.batchId(), "a"));
    assertThat(first.getApiKind()).isEqualTo(ApiKind.BATCH);
    assertThat(first.getTenant()).isEqualTo("acme");
    assertThat(first.getMode()).isEqualTo("background");
    assertThat(first.getTier()).isEqualTo("small");
    assertThat(first.getFeature()).isEqualTo("nightly");
    assertThat(first.getMessages().get(0).getParts().get(0).getText()).isEqualTo("Summarise A");
  }

  @Test
  void sameContentGivesTheSameBatchAndItemIds() {
    final BatchInput once = parse(line("a", "x"));
    final BatchInput again = parse(line("a", "x"));

    assertThat(again.batchId()).isEqualTo(once.batchId());
    assertThat(again.items().get(0).getCorrelationId())
        .isEqualTo(once.items().get(0).getCorrelationId());
    assertThat(parse(line("a", "y")).batchId()).isNotEqualTo(once.batchId());
  }

  @Test
  void reportsMalformedLinesByNumberAndKeepsTheRest() {
    final BatchInput input =
        parse(
            line("ok-1", "fine"),
            "{not json",
            "{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{}}",
            "{\"custom_id\":\"u\",\"url\":\"/v1/embeddings\",\"body\":{\"messages\":[]}}",
            "{\"custom_id\":\"t\",\"tier\":\"gold\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}",
            "{\"custom_id\":\"m\",\"body\":{\"model\":\"auto\"}}",
            "",
            line("ok-1", "duplicate id"),
            line("ok-2", "fine"));

    assertThat(input.items()).extracting(ChatRequest::getBatchItemId).containsExactly("ok-1", "ok-2");
    assertThat(input.skipped()).extracting(SkippedLine::lineNumber).containsExactly(2L, 3L, 4L, 5L, 6L, 8L);
    assertThat(input.skipped().get(0).reason()).contains("not valid JSON");
    assertThat(input.skipped().get(1).reason()).contains("custom_id");
    assertThat(input.skipped().get(2).reason()).contains("url");
    assertThat(input.skipped().get(3).reason()).contains("unknown tier 'gold'");
    assertThat(input.skipped().get(4).reason()).contains("invalid body");
    assertThat(input.skipped().get(5).reason()).contains("duplicate custom_id ok-1");
  }

  @Test
  void lineFieldsOverrideMetadataWhichOverridesTheFileDefaults() {
    final String withMetadata =
        "{\"custom_id\":\"meta\",\"body\":{\"model\":\"auto\",\"metadata\":{\"mode\":\"plan\","
            + "\"tier\":\"frontier\",\"feature\":\"reviews\"},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}";
    final String withLineFields =
        "{\"custom_id\":\"line\",\"mode\":\"debug\",\"tier\":\"free\","
            + "\"body\":{\"metadata\":{\"mode\":\"plan\"},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}";
    final List<ChatRequest> items = parse(withMetadata, withLineFields).items();

    assertThat(items.get(0).getMode()).isEqualTo("plan");
    assertThat(items.get(0).getTier()).isEqualTo("frontier");
    assertThat(items.get(0).getFeature()).isEqualTo("reviews");
    assertThat(items.get(1).getMode()).isEqualTo("debug");
    assertThat(items.get(1).getTier()).isEqualTo("free");
    assertThat(items.get(1).getFeature()).isEqualTo("nightly");
  }

  @Test
  void aVirtualModelInTheBodyPicksTheTierAndAnExplicitModelBypassesRouting() {
    final List<ChatRequest> items =
        parse(
            "{\"custom_id\":\"v\",\"body\":{\"model\":\"auto/frontier\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}}",
            "{\"custom_id\":\"e\",\"body\":{\"model\":\"openai/gpt-4.1\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}")
            .items();

    assertThat(items.get(0).getTier()).isEqualTo("frontier");
    assertThat(items.get(0).getStream()).isFalse();
    assertThat(items.get(1).getRequestedModel()).isEqualTo("openai/gpt-4.1");
  }

  @Test
  void theManifestCountsTheItemsAndTheSkippedLinesWithTheFileDefaults() {
    final BatchInput input = parse(line("a", "x"), "{not json", line("b", "y"));

    final BatchManifest manifest =
        input.manifest(DEFAULTS, "reviews.jsonl", Instant.parse("2026-06-01T00:00:00.123456Z"));

    assertThat(manifest.getBatchId()).isEqualTo(input.batchId());
    assertThat(manifest.getTenant()).isEqualTo("acme");
    assertThat(manifest.getTotal()).isEqualTo(2);
    assertThat(manifest.getSkippedLines()).isEqualTo(1);
    assertThat(manifest.getSkippedLineNumbers()).containsExactly(2L);
    assertThat(manifest.getMode()).isEqualTo("background");
    assertThat(manifest.getTier()).isEqualTo("small");
    assertThat(manifest.getFeature()).isEqualTo("nightly");
    assertThat(manifest.getSource()).isEqualTo("reviews.jsonl");
    assertThat(manifest.getContentHash()).isEqualTo(input.contentHash());
    assertThat(manifest.getSubmittedAt()).isEqualTo(Instant.parse("2026-06-01T00:00:00.123Z"));
  }

  @Test
  void rendersProgressAndDollars() {
    assertThat(ProgressBar.render("running", 250, 1_000, "2 failed"))
        .contains("[#######-----------------------]", " 25%", "250/1000", "2 failed");
    assertThat(ProgressBar.dollars(1_234_567)).isEqualTo("$1.234567");
    assertThat(ProgressBar.dollars(5)).isEqualTo("$0.000005");
  }

  static String line(final String customId, final String prompt) {
    return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
        + "\"body\":{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
        + "\"}]}}";
  }

  private static BatchInput parse(final String... lines) {
    return BatchInput.parse(
        String.join("\n", lines).getBytes(StandardCharsets.UTF_8), null, DEFAULTS, PARSER);
  }
}
