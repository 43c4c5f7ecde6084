package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Drops reasoning blocks a model cannot take back before it is called. A block is kept only when
 * the model that made it is of the target's family (then its signature is valid there); a block
 * with no recorded family is kept only when it is in the target API's own reasoning format.
 * Dropped blocks vanish: they are never turned into text, which would leak one model's private
 * reasoning into another's prompt. The decision compares each block with the target, rather than
 * trusting the router's {@code familySwitch} flag, because the dispatcher may fall back to a model
 * of another family than the one the router picked.
 */
public final class ReasoningHygiene {

  private ReasoningHygiene() {}

  /** The request as the target may see it; the same instance when nothing had to go. */
  public static ChatRequest forTarget(final ChatRequest request, final ProviderTarget target) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(target, "target");
    boolean dropped = false;
    final List<Message> messages = new ArrayList<>(request.getMessages().size());
    for (final Message message : request.getMessages()) {
      final List<ContentPart> kept =
          message.getParts().stream().filter(part -> keeps(part, target)).toList();
      if (kept.size() == message.getParts().size()) {
        messages.add(message);
      } else {
        dropped = true;
        messages.add(Message.newBuilder(message).setParts(new ArrayList<>(kept)).build());
      }
    }
    return dropped ? ChatRequest.newBuilder(request).setMessages(messages).build() : request;
  }

  static boolean keeps(final ContentPart part, final ProviderTarget target) {
    if (part.getType() != PartType.REASONING) {
      return true;
    }
    final String family = part.getReasoningFamily();
    if (family != null && !family.isBlank()) {
      return family.trim().toLowerCase(Locale.ROOT).equals(target.family());
    }
    return target.adapter().format().reasoningFormat().equals(part.getReasoningFormat());
  }
}
