package dev.tiergate.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class DefaultRoutingTableTest {

  private static final List<String> TIERS = List.of("frontier", "balanced", "free", "small");
  private static final List<String> THINKING =
      List.of("plan", "general", "architect", "orchestrator", "ask", "debug");
  private static final List<String> DOING = List.of("code", "build", "edit", "explore");
  private static final List<String> BACKGROUND =
      List.of("title", "summary", "commit-message", "background");

  private final DefaultRoutingTable table = DefaultRoutingTable.load();

  @Test
  void everyChainReferencesCatalogueModelsAndCanFallBack() {
    final Map<String, ModelSpec> models = table.models();

    assertThat(table.routes()).isNotEmpty();
    table
        .routes()
        .forEach(
            (key, route) -> {
              assertThat(route.getModels()).as(key).hasSizeGreaterThanOrEqualTo(2);
              assertThat(models.keySet()).as(key).containsAll(route.getModels());
              assertThat(DefaultRoutingTable.key(route)).isEqualTo(key);
            });
  }

  @Test
  void everyTierHasDefaultAndRulesForEveryKnownMode() {
    for (final String tier : TIERS) {
      assertThat(table.routes()).containsKey(tier + "/*");
      for (final String mode : concat(THINKING, DOING, BACKGROUND)) {
        assertThat(table.routes()).containsKey(tier + "/" + mode);
      }
    }
    assertThat(table.routes().keySet().stream().map(key -> key.split("/")[0]).distinct())
        .containsExactlyInAnyOrderElementsOf(TIERS);
  }

  @Test
  void frontierPlanningGoesToAnthropicAndTheCodeAfterItToOpenAi() {
    assertThat(table.routes().get("frontier/plan").getModels())
        .containsExactly("anthropic/claude-sonnet-4.5", "openai/gpt-5");
    for (final String mode : List.of("plan", "general", "architect", "orchestrator", "ask")) {
      assertThat(table.routes().get("frontier/" + mode).getModels().get(0)).as(mode)
          .isEqualTo("anthropic/claude-sonnet-4.5");
    }
    assertThat(table.routes().get("frontier/debug").getModels())
        .containsExactly("openai/gpt-5", "anthropic/claude-sonnet-4.5");
    assertThat(table.routes().get("frontier/code").getModels().get(0))
        .isEqualTo("openai/gpt-5-mini");
    // plan → code switches model family: the dispatcher's reasoning hygiene has work to do.
    final Map<String, ModelSpec> models = table.models();
    assertThat(models.get("anthropic/claude-sonnet-4.5").getFamily())
        .isNotEqualTo(models.get("openai/gpt-5-mini").getFamily());
  }

  @Test
  void exploringACodeBaseGoesToGeminiOnTheFrontierAndBalancedTiers() {
    for (final String tier : List.of("frontier", "balanced")) {
      assertThat(table.routes().get(tier + "/explore").getModels())
          .as(tier).containsExactly("google/gemini-2.5-flash", "openai/gpt-5-mini");
    }
    assertThat(table.routes().get("balanced/plan").getModels())
        .containsExactly("openai/gpt-5-mini", "anthropic/claude-haiku-4.5");
  }

  @Test
  void theDemoCatalogueSpansEveryProviderAdapter() {
    assertThat(table.models().values().stream().map(ModelSpec::getProvider).distinct())
        .containsExactlyInAnyOrder("openai", "anthropic", "google", "local");
    // Every provider is some rule's first choice, so the demo reaches each adapter.
    assertThat(table.routes().values().stream()
            .map(route -> table.models().get(route.getModels().get(0)).getProvider()).distinct())
        .containsExactlyInAnyOrder("openai", "anthropic", "google", "local");
  }

  @Test
  void backgroundJobsGoToTheSmallModel() {
    for (final String tier : List.of("frontier", "balanced", "small")) {
      BACKGROUND.forEach(
          mode ->
              assertThat(table.routes().get(tier + "/" + mode).getModels().get(0))
                  .as(tier + "/" + mode)
                  .isEqualTo("openai/gpt-5-nano"));
    }
  }

  @Test
  void doingModesCostNoMoreThanThinkingModes() {
    final Map<String, ModelSpec> models = table.models();
    for (final String tier : TIERS) {
      final ModelSpec thinking = models.get(table.routes().get(tier + "/plan").getModels().get(0));
      final ModelSpec doing = models.get(table.routes().get(tier + "/code").getModels().get(0));
      assertThat(doing.getOutputMicrosPerMillion())
          .as(tier)
          .isLessThanOrEqualTo(thinking.getOutputMicrosPerMillion());
    }
  }

  @Test
  void catalogueHasListPricesInMicroDollars() {
    final ModelSpec gpt5 = table.models().get("openai/gpt-5");
    assertThat(gpt5.getInputMicrosPerMillion()).isEqualTo(1_250_000L);
    assertThat(gpt5.getOutputMicrosPerMillion()).isEqualTo(10_000_000L);
    assertThat(gpt5.getCachedInputMicrosPerMillion()).isEqualTo(125_000L);
    assertThat(gpt5.getContextWindow()).isEqualTo(400_000);
    assertThat(gpt5.getCapabilities()).contains("tools", "images", "reasoning");
    assertThat(table.models().get("openai/gpt-4.1").getInputMicrosPerMillion())
        .isEqualTo(2_000_000L);
    final ModelSpec local = table.models().get("local/llama-3.1-8b");
    assertThat(local.getProvider()).isEqualTo("local");
    assertThat(local.getInputMicrosPerMillion() + local.getOutputMicrosPerMillion()).isZero();
    assertThat(local.getCapabilities()).doesNotContain("tools");
    final ModelSpec sonnet = table.models().get("anthropic/claude-sonnet-4.5");
    assertThat(sonnet.getUpstreamModel()).isEqualTo("claude-sonnet-4-5");
    assertThat(sonnet.getInputMicrosPerMillion()).isEqualTo(3_000_000L);
    assertThat(sonnet.getOutputMicrosPerMillion()).isEqualTo(15_000_000L);
    assertThat(sonnet.getCachedInputMicrosPerMillion()).isEqualTo(300_000L);
    final ModelSpec flash = table.models().get("google/gemini-2.5-flash");
    assertThat(flash.getInputMicrosPerMillion()).isEqualTo(300_000L);
    assertThat(flash.getOutputMicrosPerMillion()).isEqualTo(2_500_000L);
    assertThat(flash.getContextWindow()).isEqualTo(1_048_576);
    assertThat(table.models())
        .containsOnlyKeys(
            "openai/gpt-5", "openai/gpt-5-mini", "openai/gpt-5-nano", "openai/gpt-4.1",
            "anthropic/claude-sonnet-4.5", "anthropic/claude-haiku-4.5",
            "google/gemini-2.5-flash", "local/llama-3.1-8b",
            "openai/text-embedding-3-small", "openai/text-embedding-3-large",
            "google/gemini-embedding-001");
  }

  @Test
  void seedsCatalogueThenRulesKeyedById() {
    final SerdeFactory serdes = SerdeFactory.schemaless();
    final MockProducer<String, byte[]> producer =
        new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());

    final int sent = table.seed(producer, serdes);

    final List<ProducerRecord<String, byte[]>> records = producer.history();
    assertThat(sent).isEqualTo(records.size()).isEqualTo(table.models().size() + table.routes().size());
    final Map<String, List<ProducerRecord<String, byte[]>>> byTopic =
        records.stream().collect(Collectors.groupingBy(ProducerRecord::topic));
    assertThat(byTopic.get(Topics.MODELS.name())).hasSize(table.models().size());
    assertThat(records.get(0).topic()).isEqualTo(Topics.MODELS.name());
    final ProducerRecord<String, byte[]> plan =
        byTopic.get(Topics.ROUTES.name()).stream()
            .filter(record -> record.key().equals("frontier/plan"))
            .findFirst()
            .orElseThrow();
    final Route decoded =
        Topics.ROUTES.valueSerde(serdes).deserializer().deserialize(plan.topic(), plan.value());
    assertThat(decoded).isEqualTo(table.routes().get("frontier/plan"));
  }

  @Test
  void rejectsChainNamingUnknownModel() {
    final String routes =
        "tiers:\n  frontier:\n    default:\n      models: [openai/gpt-5, acme/unknown]\n";
    final String models =
        "models:\n  - {id: openai/gpt-5, provider: openai, upstreamModel: gpt-5, family: gpt-5,"
            + " inputMicrosPerMillion: 1, outputMicrosPerMillion: 2, contextWindow: 10}\n";

    assertThatThrownBy(() -> DefaultRoutingTable.read(stream(routes), stream(models)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("frontier/*")
        .hasMessageContaining("acme/unknown");
  }

  @Test
  void rejectsTierWithoutDefaultRule() {
    final String routes =
        "tiers:\n  frontier:\n    rules:\n      - {modes: [plan], models: [openai/gpt-5]}\n";
    final String models =
        "models:\n  - {id: openai/gpt-5, provider: openai, upstreamModel: gpt-5, family: gpt-5,"
            + " inputMicrosPerMillion: 1, outputMicrosPerMillion: 2, contextWindow: 10}\n";

    assertThatThrownBy(() -> DefaultRoutingTable.read(stream(routes), stream(models)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tier frontier has no default rule");
  }

  @Test
  void returnsCopiesSoCallersCannotChangeTheTable() {
    table.routes().get("frontier/plan").setModels(List.of("openai/gpt-5-nano"));

    assertThat(table.routes().get("frontier/plan").getModels()).hasSize(2);
  }

  private static InputStream stream(final String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  @SafeVarargs
  private static List<String> concat(final List<String>... lists) {
    return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
  }
}
