package dev.tiergate.router.predict;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Recognises the cheap side calls coding agents make next to the real work (conversation titles,
 * summaries and context compaction, commit messages, prompt rewrites and safety checks) from the
 * request's shape: instruction phrases, no tools, a short output cap. The rules are data ({@value
 * #RESOURCE}); a match names the mode the call would have carried ({@code title}, {@code summary},
 * {@code commit-message}, {@code background}). A substring scan over a few kilobytes: microseconds.
 */
public final class BackgroundCalls {

  /** The shipped rules. */
  public static final String RESOURCE = "predictor/background-calls.yaml";

  /**
   * One kind of background call: the mode it maps to, its cue phrases (lower case), and whether it
   * is also asked for inside a conversation run by an agent's main prompt (compaction is).
   */
  public record Kind(String mode, List<String> strong, List<String> weak, boolean inConversation) {
    public Kind {
      Objects.requireNonNull(mode, "mode");
      strong = strong == null ? List.of() : List.copyOf(strong);
      weak = weak == null ? List.of() : List.copyOf(weak);
    }
  }

  /** The rules file. */
  public record Rules(
      int scanChars, int shortOutputTokens, int weakPhrasesNeeded, int agentPromptChars,
      List<Kind> kinds) {
    public Rules {
      kinds = List.copyOf(Objects.requireNonNull(kinds, "kinds"));
      if (scanChars < 1 || shortOutputTokens < 1 || weakPhrasesNeeded < 1 || agentPromptChars < 1) {
        throw new IllegalArgumentException("scanChars, shortOutputTokens, weakPhrasesNeeded and "
            + "agentPromptChars must be positive");
      }
    }
  }

  /** A recognised call: the inferred mode and the phrase that decided it. */
  public record Match(String mode, String cue) {}

  private final Rules rules;
  private final Set<String> modes;

  public BackgroundCalls(final Rules rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
    this.modes = rules.kinds().stream().map(Kind::mode).collect(Collectors.toUnmodifiableSet());
  }

  /** The rules shipped as {@value #RESOURCE}. */
  public static BackgroundCalls loadDefault() {
    try (InputStream in = BackgroundCalls.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + RESOURCE);
      }
      final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
      return new BackgroundCalls(yaml.readValue(in, Rules.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the background-call rules " + RESOURCE, e);
    }
  }

  /** The modes the recogniser can infer. */
  public Set<String> modes() {
    return modes;
  }

  /** The background kind of the request, or empty when it looks like real work. */
  public Optional<Match> recognise(final ChatRequest request) {
    Objects.requireNonNull(request, "request");
    if (!request.getTools().isEmpty() || endsWithToolResult(request.getMessages())) {
      return Optional.empty();
    }
    final boolean agentConversation = hasAgentPrompt(request.getMessages());
    final String instructions = instructionText(request.getMessages());
    if (instructions.isEmpty()) {
      return Optional.empty();
    }
    final Integer maxTokens = request.getSampling() == null ? null
        : request.getSampling().getMaxTokens();
    final boolean shortOutput = maxTokens != null && maxTokens <= rules.shortOutputTokens();
    for (final Kind kind : rules.kinds()) {
      if (agentConversation && !kind.inConversation()) {
        continue;
      }
      for (final String phrase : kind.strong()) {
        if (instructions.contains(phrase)) {
          return Optional.of(new Match(kind.mode(), phrase));
        }
      }
      if (shortOutput) {
        final List<String> weakHits = kind.weak().stream().filter(instructions::contains).toList();
        if (weakHits.size() >= rules.weakPhrasesNeeded()) {
          return Optional.of(new Match(kind.mode(), String.join(" + ", weakHits)));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * System and developer messages (unless one is as long as an agent's main prompt) and the last
   * user message, lower-cased, each cut to its first and last {@code scanChars} characters.
   */
  private String instructionText(final List<Message> messages) {
    final StringBuilder text = new StringBuilder();
    boolean lastUserSeen = false;
    for (int i = messages.size() - 1; i >= 0; i--) {
      final Message message = messages.get(i);
      final String role = message.getRole();
      final boolean instruction = "system".equals(role) || "developer".equals(role);
      if ("user".equals(role) && !lastUserSeen) {
        lastUserSeen = true;
        append(text, textOf(message));
      } else if (instruction) {
        final String body = textOf(message);
        if (body.length() <= rules.agentPromptChars()) {
          append(text, body);
        }
      }
    }
    return text.toString().toLowerCase(Locale.ROOT);
  }

  private void append(final StringBuilder text, final String body) {
    final int scan = rules.scanChars();
    if (body.length() <= 2 * scan) {
      text.append(body);
    } else {
      text.append(body, 0, scan).append('\n').append(body, body.length() - scan, body.length());
    }
    text.append('\n');
  }

  private static String textOf(final Message message) {
    final StringBuilder text = new StringBuilder();
    for (final ContentPart part : message.getParts()) {
      if (part.getType() == PartType.TEXT && part.getText() != null) {
        text.append(part.getText()).append('\n');
      }
    }
    return text.toString();
  }

  private boolean hasAgentPrompt(final List<Message> messages) {
    return messages.stream()
        .filter(m -> "system".equals(m.getRole()) || "developer".equals(m.getRole()))
        .anyMatch(m -> textOf(m).length() > rules.agentPromptChars());
  }

  private static boolean endsWithToolResult(final List<Message> messages) {
    if (messages.isEmpty()) {
      return false;
    }
    final Message last = messages.get(messages.size() - 1);
    return "tool".equals(last.getRole())
        || last.getParts().stream().anyMatch(p -> p.getType() == PartType.TOOL_RESULT);
  }
}
