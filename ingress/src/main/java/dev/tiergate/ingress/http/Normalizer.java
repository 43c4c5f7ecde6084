package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.schemas.ChatRequest;

/**
 * Turns a request body of one dialect into the pipeline's {@link ChatRequest}, with a fresh {@code
 * req_} correlation id, so the router and dispatcher never see the caller's wire format.
 */
@FunctionalInterface
public interface Normalizer {

  /**
   * @throws dev.tiergate.ingress.common.GatewayException 400 for a body the caller got wrong, 403
   *     for a tier the key may not use
   */
  ChatRequest normalize(JsonNode body, Caller caller, HeaderLookup headers);
}
