package dev.tiergate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.batch.BatchInput;
import dev.tiergate.launcher.batch.BatchLineParser;
import dev.tiergate.schemas.ChatRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchBulkTest {

  @Test
  void splitsTheRequestsOverTheJobsWithoutLosingOrRepeatingOne() {
    final List<String> all = new ArrayList<>();
    for (int job = 0; job < 3; job++) {
      all.addAll(BatchBulk.customIds(10, 3, job));
    }

    assertThat(BatchBulk.customIds(10, 3, 0)).containsExactly("req-0", "req-1", "req-2");
    assertThat(BatchBulk.customIds(10, 3, 2)).hasSize(4);
    assertThat(all).doesNotHaveDuplicates().hasSize(10);
  }

  @Test
  void eachJobsFileParsesIntoItsItemsRoutedLikeTheHttpRequests() {
    final BatchInput input = BatchInput.parse(BatchBulk.file(10, 3, 1), null, BatchBulk.DEFAULTS,
        new BatchLineParser(new ObjectMapper(), Clock.systemUTC()));

    assertThat(input.skipped()).isEmpty();
    assertThat(input.items()).extracting(ChatRequest::getBatchItemId)
        .containsExactlyElementsOf(BatchBulk.customIds(10, 3, 1));
    final ChatRequest item = input.items().get(0);
    assertThat(item.getMode()).isEqualTo("code");
    assertThat(item.getTier()).isEqualTo("balanced");
    assertThat(item.getTenant()).isEqualTo("demo");
  }
}
