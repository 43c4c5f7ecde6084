package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.dispatcher.provider.ProviderTarget;
import dev.tiergate.schemas.ErrorInfo;
import java.util.Objects;
import java.util.Optional;

/** How a request ended: served by one model (perhaps with a stream cut short) or failed. */
sealed interface Outcome {

  /**
   * @param interruption present when a stream broke after deltas were published; the reply is
   *     then what arrived before the break
   */
  record Served(ProviderTarget target, ProviderReply reply, Optional<ProviderFailure> interruption)
      implements Outcome {
    public Served {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(reply, "reply");
      Objects.requireNonNull(interruption, "interruption");
    }
  }

  record Failed(ErrorInfo error) implements Outcome {
    public Failed {
      Objects.requireNonNull(error, "error");
    }
  }
}
