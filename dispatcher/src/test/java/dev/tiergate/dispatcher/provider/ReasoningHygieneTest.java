package dev.tiergate.dispatcher.provider;

import static dev.tiergate.dispatcher.TestRequests.chat;
import static dev.tiergate.dispatcher.TestRequests.message;
import static dev.tiergate.dispatcher.TestRequests.text;
import static dev.tiergate.dispatcher.provider.AdapterFixtures.reasoning;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.PartType;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReasoningHygieneTest {

  private final ModelFamilies families = new ModelFamilies();
  private final Providers providers =
      new Providers(
          List.of(
              endpoint("anthropic", ProviderFormat.ANTHROPIC),
              endpoint("google", ProviderFormat.GEMINI),
              endpoint("openai", ProviderFormat.OPENAI)),
          new ObjectMapper(),
          families);

  @Test
  void dropsReasoningOfAnotherFamilyWithoutTurningItIntoText() {
    final ChatRequest request = withReasoning(reasoning("anthropic-thinking", "claude", "sig"));

    final ChatRequest cleaned = ReasoningHygiene.forTarget(request, target("google/gemini-2.5-pro"));

    final List<ContentPart> assistant = cleaned.getMessages().get(1).getParts();
    assertThat(assistant).extracting(ContentPart::getType).containsExactly(PartType.TEXT);
    assertThat(assistant).extracting(ContentPart::getText).containsExactly("answer");
  }

  @Test
  void keepsSameFamilyReasoningWithItsSignatureAndReturnsTheSameRequest() {
    final ChatRequest request = withReasoning(reasoning("anthropic-thinking", "Claude", "sig-1"));

    final ChatRequest cleaned = ReasoningHygiene.forTarget(request, target("anthropic/claude-opus-4-1"));

    assertThat(cleaned).isSameAs(request);
    assertThat(cleaned.getMessages().get(1).getParts().get(0).getReasoningSignature()).isEqualTo("sig-1");
  }

  @Test
  void decidesByTheCatalogueFamilyWhenTheCatalogueKnowsTheModel() {
    families.put("openai/o-next", "gpt-5");
    final ChatRequest request = withReasoning(reasoning("openai-reasoning", "gpt-5", null));

    assertThat(ReasoningHygiene.forTarget(request, target("openai/o-next"))).isSameAs(request);
    assertThat(ReasoningHygiene.forTarget(request, target("openai/gpt-4.1"))).isNotSameAs(request);
  }

  @Test
  void aBlockWithoutFamilyIsKeptOnlyInTheTargetsOwnFormat() {
    final ChatRequest request = withReasoning(reasoning("anthropic-thinking", null, "sig"));

    assertThat(ReasoningHygiene.forTarget(request, target("anthropic/claude-sonnet-4-5"))).isSameAs(request);
    assertThat(
            ReasoningHygiene.forTarget(request, target("openai/gpt-5")).getMessages().get(1).getParts())
        .noneMatch(part -> part.getType() == PartType.REASONING);
  }

  @Test
  void derivesFamiliesFromModelNames() {
    assertThat(ModelFamilies.fromName("gpt-5-mini")).isEqualTo("gpt-5");
    assertThat(ModelFamilies.fromName("claude-sonnet-4-5")).isEqualTo("claude");
    assertThat(ModelFamilies.fromName("gemini-2.5-flash")).isEqualTo("gemini");
    assertThat(ModelFamilies.fromName("meta-llama/llama-3.1-8b")).isEqualTo("llama-3.1");
  }

  private ProviderTarget target(final String id) {
    return providers.resolve(id).orElseThrow();
  }

  private static ChatRequest withReasoning(final ContentPart reasoning) {
    return chat("req_h")
        .setMessages(
            List.of(
                message("user", text("question")),
                message("assistant", reasoning, text("answer")),
                message("user", text("follow-up"))))
        .build();
  }

  private static ProviderEndpoint endpoint(final String name, final ProviderFormat format) {
    return new ProviderEndpoint(name, URI.create("http://127.0.0.1:1/v1"), Optional.empty(), format);
  }
}
