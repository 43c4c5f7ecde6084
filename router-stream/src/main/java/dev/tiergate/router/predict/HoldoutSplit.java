package dev.tiergate.router.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Splits a RouteLLM-style file so the held-out part is like the real test set: whole MMLU domains
 * the model never saw. The domains, in alphabetical order, go round-robin into {@code folds} folds;
 * GSM8K (one source) is split by a stable hash of the prompt instead.
 */
public record HoldoutSplit(List<LabeledPrompt> train, List<LabeledPrompt> heldOut) {

  public HoldoutSplit {
    train = List.copyOf(train);
    heldOut = List.copyOf(heldOut);
  }

  /** Holds out fold {@code fold} of {@code folds}. */
  public static HoldoutSplit byDomain(
      final List<LabeledPrompt> prompts, final int folds, final int fold) {
    Objects.requireNonNull(prompts, "prompts");
    if (folds < 2 || fold < 0 || fold >= folds) {
      throw new IllegalArgumentException("need folds >= 2 and 0 <= fold < folds");
    }
    final List<String> domains = new ArrayList<>(new TreeSet<>(
        prompts.stream().map(LabeledPrompt::domain).filter(d -> d.startsWith("mmlu/")).toList()));
    final List<LabeledPrompt> train = new ArrayList<>();
    final List<LabeledPrompt> heldOut = new ArrayList<>();
    for (final LabeledPrompt prompt : prompts) {
      final int index = domains.indexOf(prompt.domain());
      final int bucket = index >= 0 ? index % folds : Math.floorMod(stableHash(prompt.prompt()), folds);
      (bucket == fold ? heldOut : train).add(prompt);
    }
    return new HoldoutSplit(train, heldOut);
  }

  /** FNV-1a over the characters: stable across JVMs and runs. */
  static int stableHash(final String text) {
    int hash = 0x811c9dc5;
    for (int i = 0; i < text.length(); i++) {
      hash = (hash ^ text.charAt(i)) * 0x01000193;
    }
    return hash;
  }
}
