package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.GuardSettings;
import dev.tiergate.dispatcher.provider.KeyStore;
import dev.tiergate.dispatcher.provider.ProviderGuards;
import dev.tiergate.dispatcher.provider.RetryPolicy;
import java.util.Objects;

/**
 * How the dispatcher calls providers: retries per model, whose keys, and the per-endpoint guards
 * (concurrency budgets and circuit breakers).
 */
public record CallPolicy(RetryPolicy retry, KeyStore keys, ProviderGuards guards) {

  public CallPolicy {
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(guards, "guards");
  }

  /** Platform keys only and default guards. */
  public static CallPolicy of(final RetryPolicy retry) {
    return new CallPolicy(retry, KeyStore.empty(), new ProviderGuards(GuardSettings.defaults()));
  }
}
