package dev.tiergate.router.predict;

import java.util.Arrays;
import java.util.Locale;

/**
 * Turns a prompt into hashed sparse features without allocating per feature: lower-cased word
 * unigrams and character trigrams (digits folded to {@code 0}, whitespace collapsed), each hashed
 * with FNV-1a into {@code 2^bits} buckets. Only the first {@value #MAX_CHARS} characters count, so the
 * cost per request is bounded however long the prompt (the predictor must stay well under 1 ms).
 */
public final class TextFeatures {

  /** Characters of a prompt that are looked at. */
  public static final int MAX_CHARS = 4_000;

  private static final int FNV_OFFSET = 0x811c9dc5;
  private static final int FNV_PRIME = 0x01000193;
  private static final int WORD_SEED = 'w';
  private static final int TRIGRAM_SEED = 'c';

  private final int mask;

  public TextFeatures(final int bits) {
    if (bits < 4 || bits > 24) {
      throw new IllegalArgumentException("bits must be in [4, 24]: " + bits);
    }
    this.mask = (1 << bits) - 1;
  }

  public int dimension() {
    return mask + 1;
  }

  /** The bucket of every feature of the text (repeats kept: a repeated feature counts twice). */
  public int[] buckets(final String text) {
    final String folded = fold(text);
    final int[] out = new int[folded.length() * 2 + 2];
    int count = words(folded, out, 0);
    count = trigrams(folded, out, count);
    return Arrays.copyOf(out, count);
  }

  private int words(final String text, final int[] out, final int start) {
    int count = start;
    int hash = mix(FNV_OFFSET, WORD_SEED);
    int length = 0;
    for (int i = 0; i <= text.length(); i++) {
      final char c = i < text.length() ? text.charAt(i) : ' ';
      if (Character.isLetter(c)) {
        hash = mix(hash, c);
        length++;
        continue;
      }
      if (length > 0) {
        out[count++] = hash & mask;
        hash = mix(FNV_OFFSET, WORD_SEED);
        length = 0;
      }
      if (c != ' ') {
        out[count++] = mix(mix(FNV_OFFSET, WORD_SEED), c) & mask;
      }
    }
    return count;
  }

  private int trigrams(final String text, final int[] out, final int start) {
    int count = start;
    for (int i = 0; i + 3 <= text.length(); i++) {
      int hash = mix(FNV_OFFSET, TRIGRAM_SEED);
      hash = mix(hash, text.charAt(i));
      hash = mix(hash, text.charAt(i + 1));
      hash = mix(hash, text.charAt(i + 2));
      out[count++] = hash & mask;
    }
    return count;
  }

  /** Lower-cased, digits as 0, runs of whitespace as one space, padded with a space each side. */
  static String fold(final String text) {
    final String head = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
    final String lower = head.toLowerCase(Locale.ROOT);
    final StringBuilder folded = new StringBuilder(lower.length() + 2).append(' ');
    for (int i = 0; i < lower.length(); i++) {
      final char c = lower.charAt(i);
      if (Character.isWhitespace(c)) {
        if (folded.charAt(folded.length() - 1) != ' ') {
          folded.append(' ');
        }
      } else {
        folded.append(Character.isDigit(c) ? '0' : c);
      }
    }
    if (folded.charAt(folded.length() - 1) != ' ') {
      folded.append(' ');
    }
    return folded.toString();
  }

  private static int mix(final int hash, final int value) {
    return (hash ^ value) * FNV_PRIME;
  }
}
