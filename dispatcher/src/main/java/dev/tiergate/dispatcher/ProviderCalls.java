package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ProviderClient;
import dev.tiergate.dispatcher.provider.Providers;
import java.util.Objects;

/**
 * What the dispatcher calls models through: the providers serving each catalogue model, the HTTP
 * client, and the {@link CallPolicy} (retries, keys, guards) every call follows.
 */
public record ProviderCalls(Providers providers, ProviderClient client, CallPolicy policy) {

  public ProviderCalls {
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(policy, "policy");
  }
}
