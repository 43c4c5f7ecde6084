package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tiergate.schemas.Topic;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Named;
import org.junit.jupiter.api.Test;

class TopicTablesTest {

  private static final Topic<String> NOTES =
      new Topic<>("test.notes", String.class, 3, Topic.CleanupPolicy.COMPACT, Optional.empty());
  private static final Topic<String> TAGS =
      new Topic<>("test.tags", String.class, 3, Topic.CleanupPolicy.COMPACT, Optional.empty());

  @Test
  void namesTheSourceAndTheStoreOfEachTable() {
    final StreamsBuilder builder = new StreamsBuilder();
    TopicTables.global(builder, NOTES, Serdes.String(), "notes-source", "notes-store");
    TopicTables.table(builder, TAGS, Serdes.String(), "tags-source", "tags-store")
        .toStream(Named.as("tags-out"));

    final String described = builder.build().describe().toString();

    assertThat(described)
        .contains("Source: notes-source-source (topics: [test.notes])")
        .contains("Processor: notes-source (stores: [notes-store])")
        .contains("Source: tags-source-source (topics: [test.tags])")
        .contains("Processor: tags-source (stores: [tags-store])");
  }
}
