package dev.tiergate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void everyTopicNameIsUniqueAndPrefixed() {
    final Set<String> names = Topics.ALL.stream().map(Topic::name).collect(Collectors.toSet());

    assertThat(names).hasSize(Topics.ALL.size());
    assertThat(names).allMatch(name -> name.startsWith("tiergate."));
  }

  @Test
  void tablesAreCompactedAndStreamsAreNot() {
    assertThat(Topics.ROUTES.compacted()).isTrue();
    assertThat(Topics.MODELS.compacted()).isTrue();
    assertThat(Topics.BUDGETS.compacted()).isTrue();
    assertThat(Topics.BUDGET_STATE.compacted()).isTrue();
    assertThat(Topics.BATCHES.compacted()).isTrue();
    assertThat(Topics.REQUESTS.compacted()).isFalse();
    assertThat(Topics.RESPONSES.compacted()).isFalse();
  }

  @Test
  void batchItemsHaveARoutedTopicShapedLikeTheInteractiveOne() {
    assertThat(Topics.ALL).contains(Topics.ROUTED_BATCH);
    assertThat(Topics.ROUTED_BATCH.partitions()).isEqualTo(Topics.ROUTED.partitions());
    assertThat(Topics.ROUTED_BATCH.compacted()).isEqualTo(Topics.ROUTED.compacted());
    assertThat(Topics.ROUTED_BATCH.retention()).isEqualTo(Topics.ROUTED.retention());
  }

  @Test
  void everyInputTopicOfAServiceHasADeadLetterTopic() {
    assertThat(Topics.ALL)
        .contains(Topics.REQUESTS_DLQ, Topics.ROUTED_DLQ, Topics.ROUTED_BATCH_DLQ, Topics.USAGE_DLQ,
            Topics.ROUTES_DLQ, Topics.MODELS_DLQ);
    assertThat(Topics.REQUESTS_DLQ.name()).isEqualTo("tiergate.requests.dlq");
    assertThat(Topics.REQUESTS_DLQ.valueSerde(SerdeFactory.schemaless()).serializer()
            .serialize("t", new byte[] {1, 2}))
        .containsExactly(1, 2);
  }
}
