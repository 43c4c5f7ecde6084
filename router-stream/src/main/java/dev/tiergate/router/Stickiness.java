package dev.tiergate.router;

import dev.tiergate.schemas.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Keeps a session on the model it last used: switching models loses the provider's prompt cache,
 * which agents lean on because they resend a growing context every step. The session stays when its
 * last model is still in the (filtered) chain, unless the chain's first choice is cheaper by at
 * least the switch factor (price = input + output micro-dollars per million tokens). A model whose
 * price is unknown never triggers a stay. A change of model family is flagged, because reasoning
 * blocks signed by one family must not be replayed to another.
 */
final class Stickiness {

  /** The reordered chain, whether the family changed, and what was decided. */
  record Applied(List<String> chain, boolean familySwitch, String note) {}

  private final double switchFactor;

  Stickiness(final double switchFactor) {
    if (!(switchFactor >= 1.0)) {
      throw new IllegalArgumentException("switch factor must be >= 1: " + switchFactor);
    }
    this.switchFactor = switchFactor;
  }

  double switchFactor() {
    return switchFactor;
  }

  Applied apply(
      final List<String> chain,
      final SessionRoute session,
      final Function<String, ModelSpec> catalogue) {
    if (session == null || chain.isEmpty()) {
      return new Applied(chain, false, null);
    }
    List<String> result = chain;
    String note = null;
    final String first = chain.get(0);
    final String last = session.lastModel();
    if (!first.equals(last) && chain.contains(last)) {
      final ModelSpec lastSpec = catalogue.apply(last);
      final ModelSpec firstSpec = catalogue.apply(first);
      if (lastSpec != null && firstSpec != null) {
        final long lastPrice = price(lastSpec);
        final long firstPrice = price(firstSpec);
        if (lastPrice < switchFactor * firstPrice) {
          result = moveToFront(chain, last);
          note = String.format(Locale.ROOT,
              "sticky: session stays on %s (%s is not %.1fx cheaper)", last, first, switchFactor);
        } else {
          note = String.format(Locale.ROOT,
              "session switched from %s: %s is at least %.1fx cheaper", last, first, switchFactor);
        }
      }
    }
    final boolean familySwitch = familySwitch(session, catalogue.apply(result.get(0)));
    if (familySwitch) {
      final String family = catalogue.apply(result.get(0)).getFamily();
      final String switchNote = "model family changed from " + session.lastFamily() + " to "
          + family + "; earlier reasoning blocks are dropped";
      note = note == null ? switchNote : note + "; " + switchNote;
    }
    return new Applied(result, familySwitch, note);
  }

  /** The session after this decision: its first model and that model's family. */
  static SessionRoute next(
      final List<String> chain,
      final SessionRoute previous,
      final Function<String, ModelSpec> catalogue,
      final java.time.Instant now) {
    final ModelSpec spec = catalogue.apply(chain.get(0));
    final String family = spec != null ? spec.getFamily()
        : previous != null && previous.lastModel().equals(chain.get(0)) ? previous.lastFamily()
        : null;
    return new SessionRoute(chain.get(0), family, now);
  }

  private static boolean familySwitch(final SessionRoute session, final ModelSpec chosen) {
    return chosen != null && session.lastFamily() != null
        && !session.lastFamily().equals(chosen.getFamily());
  }

  private static long price(final ModelSpec model) {
    return model.getInputMicrosPerMillion() + model.getOutputMicrosPerMillion();
  }

  private static List<String> moveToFront(final List<String> chain, final String model) {
    final List<String> reordered = new ArrayList<>(chain.size());
    reordered.add(model);
    chain.stream().filter(m -> !m.equals(model)).forEach(reordered::add);
    return List.copyOf(reordered);
  }
}
