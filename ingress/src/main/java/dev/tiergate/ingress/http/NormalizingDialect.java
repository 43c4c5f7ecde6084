package dev.tiergate.ingress.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.schemas.ChatRequest;
import java.util.Objects;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * A dialect whose body is normalized on the spot by its {@link Normalizer} (nothing to look up
 * first) and whose errors are rendered by one function; it writes its answers and streams itself.
 */
public abstract class NormalizingDialect implements ApiDialect {

  private final Normalizer normalizer;
  private final Function<GatewayException, String> errors;

  protected NormalizingDialect(
      final Normalizer normalizer, final Function<GatewayException, String> errors) {
    this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
    this.errors = Objects.requireNonNull(errors, "errors");
  }

  @Override
  public final Mono<ChatRequest> normalize(
      final JsonNode body, final Caller caller, final HeaderLookup headers) {
    return Mono.fromCallable(() -> normalizer.normalize(body, caller, headers));
  }

  @Override
  public final String error(final GatewayException error) {
    return errors.apply(error);
  }
}
