package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.ChatRequest;
import java.util.Map;

/**
 * Wire translation for one provider API, both ways. Pure: no I/O, so each adapter is tested against
 * JSON fixtures; {@link ProviderClient} does the HTTP.
 */
public interface ProviderAdapter {

  ProviderFormat format();

  /**
   * The provider call for a request.
   *
   * @param upstreamModel the model name the provider knows
   * @param routeParams the routing decision's parameters (e.g. {@code reasoning_effort}); values the
   *     caller set explicitly win
   * @param stream true to ask for a stream with usage included
   * @throws ProviderFailure of kind {@link ProviderFailure.Kind#INVALID_REQUEST} when the request
   *     cannot be expressed in this format
   */
  ProviderRequest buildRequest(
      ChatRequest request, String upstreamModel, Map<String, String> routeParams, boolean stream);

  /**
   * The embeddings call for an {@code EMBEDDINGS} request: its inputs are the text of its messages,
   * one each ({@link EmbeddingInputs}). Formats without an embeddings API refuse.
   *
   * @throws ProviderFailure of kind {@link ProviderFailure.Kind#INVALID_REQUEST} when this format
   *     has no embeddings API
   */
  default ProviderRequest buildEmbeddingsRequest(ChatRequest request, String upstreamModel) {
    throw ProviderFailure.invalidRequest("the " + format().configValue() + " API has no embeddings");
  }

  /** Parses a successful embeddings answer. */
  default ProviderReply parseEmbeddingsResponse(byte[] body) {
    throw ProviderFailure.invalidResponse("the " + format().configValue() + " API has no embeddings", null);
  }

  /** The headers that carry the credential. Their values must never be logged. */
  Map<String, String> authHeaders(String apiKey);

  /** Parses a successful non-streaming answer. */
  ProviderReply parseResponse(byte[] body);

  /** A fresh decoder for one streamed answer. */
  StreamDecoder newStreamDecoder();

  /** The provider's human-readable message in an error body, or a short excerpt of the body. */
  String errorMessage(byte[] body);
}
