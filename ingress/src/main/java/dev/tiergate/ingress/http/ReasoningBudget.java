package dev.tiergate.ingress.http;

/**
 * A reasoning budget in tokens (Anthropic's {@code thinking.budget_tokens}, OpenRouter's {@code
 * reasoning.max_tokens}) as the effort level OpenAI-style providers take.
 */
public final class ReasoningBudget {

  /** Budgets at or above these map to medium and high effort; smaller ones to low. */
  public static final long MEDIUM = 4_096;
  public static final long HIGH = 16_384;

  private ReasoningBudget() {}

  public static String effort(final long budgetTokens) {
    if (budgetTokens >= HIGH) {
      return "high";
    }
    return budgetTokens >= MEDIUM ? "medium" : "low";
  }
}
