package dev.tiergate.launcher.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code tiergate batch results ID > out.jsonl}: one OpenAI Batch-style output line per item,
 * matched by {@code custom_id}. Items come from the requests topic and answers from the responses
 * topic (committed records, from the beginning), so the results need nothing but Kafka; an item with
 * no answer yet gets an error line instead of being left out.
 */
@Command(
    name = "results",
    mixinStandardHelpOptions = true,
    description = "Write the batch's results as OpenAI Batch API output lines (JSONL) to stdout.")
final class BatchResultsCommand extends ClusterCommand {

  @Mixin BatchIdParameter batch;

  @Override
  protected int run(final PrintWriter out, final PrintWriter err) {
    final String id = batch.id();
    final BatchClient client = new BatchClient(cluster.settings());
    final Map<String, ChatRequest> items = client.items(id);
    final Map<String, ChatResponse> answers = client.answers(id);
    if (items.isEmpty() && answers.isEmpty()) {
      err.println("tiergate batch results: no items for batch " + id);
      return BatchStatusCommand.EXIT_UNKNOWN;
    }
    final BatchResultLines lines = new BatchResultLines(new ObjectMapper());
    long ok = 0;
    long failed = 0;
    long pending = 0;
    for (final Map.Entry<String, ChatRequest> item : items.entrySet()) {
      final ChatResponse answer = answers.get(item.getKey());
      if (answer == null) {
        out.println(lines.pending(item.getKey(), item.getValue().getCorrelationId()));
        pending++;
      } else {
        out.println(lines.answered(item.getKey(), answer));
        if (answer.getError() == null) {
          ok++;
        } else {
          failed++;
        }
      }
    }
    // Answers whose request is no longer on the requests topic (retention) still belong in the output.
    for (final Map.Entry<String, ChatResponse> answer : answers.entrySet()) {
      if (!items.containsKey(answer.getKey())) {
        out.println(lines.answered(answer.getKey(), answer.getValue()));
        if (answer.getValue().getError() == null) {
          ok++;
        } else {
          failed++;
        }
      }
    }
    out.flush();
    err.printf("%d results: %d ok, %d failed, %d pending%n", ok + failed + pending, ok, failed, pending);
    return 0;
  }
}
