package dev.tiergate.dispatcher.provider;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.schemas.SamplingParams;
import java.util.Objects;

/**
 * The names a wire format gives the sampling settings it takes as the caller set them ({@code
 * temperature} and {@code seed} are spelled alike everywhere). Each setting the caller set is copied
 * under its name; the others are left out, so the provider's default applies.
 */
public record SamplingFields(String topP, String maxTokens, String stop) {

  public SamplingFields {
    Objects.requireNonNull(topP, "topP");
    Objects.requireNonNull(maxTokens, "maxTokens");
    Objects.requireNonNull(stop, "stop");
  }

  /** Copies the settings the caller set into {@code target}. */
  public void put(final ObjectNode target, final SamplingParams sampling) {
    if (sampling.getTemperature() != null) {
      target.put("temperature", sampling.getTemperature());
    }
    if (sampling.getTopP() != null) {
      target.put(topP, sampling.getTopP());
    }
    if (sampling.getMaxTokens() != null) {
      target.put(maxTokens, sampling.getMaxTokens());
    }
    if (!sampling.getStop().isEmpty()) {
      final ArrayNode stops = target.putArray(stop);
      sampling.getStop().forEach(stops::add);
    }
    if (sampling.getSeed() != null) {
      target.put("seed", sampling.getSeed());
    }
  }
}
