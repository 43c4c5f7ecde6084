package dev.tiergate.dispatcher;

import dev.tiergate.dispatcher.provider.ProviderFailure;
import dev.tiergate.dispatcher.provider.ProviderReply;
import dev.tiergate.dispatcher.provider.ProviderTarget;
import dev.tiergate.schemas.ErrorInfo;
import java.util.Objects;
import java.util.Optional;

/**
 * How a request ended: served by one model (perhaps with a stream cut short), failed, or abandoned
 * (its deadline passed or its client went away, so the call was stopped or never made).
 */
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

  /**
   * @param reason {@code deadline_exceeded} or {@code client_disconnected}
   * @param partial what the stopped call had produced (a stream's deltas so far), if it had started
   */
  record Abandoned(String reason, Optional<Served> partial) implements Outcome {
    public Abandoned {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(partial, "partial");
    }
  }
}
