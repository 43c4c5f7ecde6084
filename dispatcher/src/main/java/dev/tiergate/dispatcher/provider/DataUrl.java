package dev.tiergate.dispatcher.provider;

import java.util.Optional;

/**
 * A {@code data:<media type>;base64,<data>} image reference split into its parts, for APIs that
 * take inline images as media type plus base64 (Anthropic, Gemini) rather than as a URL.
 */
public record DataUrl(String mediaType, String base64) {

  /** Empty when the reference is not a base64 data URL (e.g. an https URL). */
  public static Optional<DataUrl> parse(final String url) {
    if (url == null || !url.startsWith("data:")) {
      return Optional.empty();
    }
    final int comma = url.indexOf(',');
    final int marker = url.indexOf(";base64");
    if (comma < 0 || marker < 0 || marker > comma) {
      return Optional.empty();
    }
    return Optional.of(new DataUrl(url.substring("data:".length(), marker), url.substring(comma + 1)));
  }
}
