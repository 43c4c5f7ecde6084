package dev.tiergate.bench.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * One synthetic coding-agent session, shaped like the seeds describe agent loops: a plan, many code
 * edits, a few debug rounds, a commit message. Every step resends the whole conversation so far
 * (system prompt, earlier turns, the assistant's replies, the files it read), so the context grows
 * at each step as it does in a real agent. Seeded, so a replay is reproducible.
 */
public final class AgentSession {

  /** One request of the session: its mode and the user turn added at that step. */
  public record Step(String mode, String userTurn) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SYSTEM =
      "You are a coding agent working in a Java repository. Follow the plan, edit files with "
          + "minimal diffs, run the tests, and explain failures before fixing them.";
  private static final String[] FILES = {
    "BillingService.java", "InvoiceRepository.java", "TaxCalculator.java", "LedgerEntry.java",
    "PaymentGateway.java", "CurrencyFormatter.java", "RefundPolicy.java", "AuditLog.java"
  };

  private final String id;
  private final List<Step> steps;
  private final ArrayNode messages = JSON.createArrayNode();

  private AgentSession(final String id, final List<Step> steps) {
    this.id = id;
    this.steps = List.copyOf(steps);
    messages.addObject().put("role", "system").put("content", SYSTEM);
  }

  /** A session with {@code edits} code steps and {@code debugs} debug steps, drawn from the seed. */
  public static AgentSession generate(final String id, final Random random) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(random, "random");
    final int edits = 6 + random.nextInt(10);
    final int debugs = 1 + random.nextInt(3);
    final List<Step> steps = new ArrayList<>();
    steps.add(new Step("plan", "Plan how to split invoice totals by currency. Files: "
        + String.join(", ", FILES) + "."));
    for (int i = 0; i < edits; i++) {
      final String file = FILES[random.nextInt(FILES.length)];
      steps.add(new Step("code", "Edit " + file + " (step " + (i + 1) + "). Current content:\n"
          + fileContent(file, 20 + random.nextInt(60), random)));
    }
    for (int i = 0; i < debugs; i++) {
      steps.add(new Step("debug", "The test run failed:\n" + stackTrace(random)
          + "\nFind the cause and fix it."));
    }
    steps.add(new Step("commit-message", "Write a one-line commit message for the changes above."));
    return new AgentSession(id, steps);
  }

  public String id() {
    return id;
  }

  public List<Step> steps() {
    return steps;
  }

  /** The request body for a step: the whole conversation so far plus this step's user turn. */
  public String nextBody(final Step step, final String model) {
    messages.addObject().put("role", "user").put("content", step.userTurn());
    final ObjectNode body = JSON.createObjectNode().put("model", model);
    body.set("messages", messages.deepCopy());
    return body.toString();
  }

  /** Appends the assistant's reply, so the next step resends it as agents do. */
  public void addReply(final String content) {
    messages.addObject().put("role", "assistant").put("content", content);
  }

  private static String fileContent(final String file, final int lines, final Random random) {
    final StringBuilder text = new StringBuilder("// ").append(file).append('\n');
    for (int i = 0; i < lines; i++) {
      text.append(String.format(Locale.ROOT,
          "  long amount%d = ledger.total(\"%s\", %d) * rate%d / 100; // line %d%n",
          i, file, random.nextInt(1000), random.nextInt(9), i));
    }
    return text.toString();
  }

  private static String stackTrace(final Random random) {
    final StringBuilder text = new StringBuilder("java.lang.ArithmeticException: / by zero\n");
    for (int i = 0; i < 8 + random.nextInt(12); i++) {
      text.append("\tat com.acme.billing.")
          .append(FILES[random.nextInt(FILES.length)].replace(".java", ""))
          .append(".compute(").append(random.nextInt(400)).append(")\n");
    }
    return text.toString();
  }
}
