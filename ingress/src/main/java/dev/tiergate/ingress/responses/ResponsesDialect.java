package dev.tiergate.ingress.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.ingress.auth.Caller;
import dev.tiergate.ingress.common.GatewayException;
import dev.tiergate.ingress.common.HeaderLookup;
import dev.tiergate.ingress.common.JsonFields;
import dev.tiergate.ingress.http.ApiDialect;
import dev.tiergate.ingress.http.HttpReplies;
import dev.tiergate.ingress.http.MessageParts;
import dev.tiergate.ingress.reply.ReplyEvent;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.ChatResponse;
import dev.tiergate.schemas.ContentPart;
import dev.tiergate.schemas.Message;
import dev.tiergate.schemas.PartType;
import dev.tiergate.schemas.StoredResponse;
import dev.tiergate.schemas.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * OpenAI Responses ({@code POST /v1/responses}): {@code response} objects, the numbered Responses
 * event stream, OpenAI's error shape; a {@code previous_response_id} continues a stored
 * conversation, and every answered turn is stored unless the body says {@code store: false}.
 */
public final class ResponsesDialect implements ApiDialect {

  private final ResponsesNormalizer normalizer;
  private final ResponsesJson json;
  private final ResponseStore store;

  public ResponsesDialect(
      final ResponsesNormalizer normalizer, final ResponsesJson json, final ResponseStore store) {
    this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
    this.json = Objects.requireNonNull(json, "json");
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The stored response object of the tenant's response {@code id}; a 404 when it has none. */
  Mono<String> stored(final String tenant, final String id) {
    return store.find(tenant, id)
        .switchIfEmpty(Mono.error(() -> ResponseStore.notFound(id)))
        .map(StoredResponse::getResponseJson);
  }

  /** Deletes the tenant's response {@code id}: OpenAI's deletion object, or a 404 when it has none. */
  Mono<String> deleted(final String tenant, final String id) {
    return store.delete(tenant, id)
        .flatMap(deleted -> deleted
            ? Mono.just(json.deleted(id))
            : Mono.<String>error(ResponseStore.notFound(id)));
  }

  @Override
  public Mono<ChatRequest> normalize(
      final JsonNode body, final Caller caller, final HeaderLookup headers) {
    return Mono.defer(() -> {
      ResponsesNormalizer.checkShape(body);
      final String previous =
          JsonFields.text(body, "previous_response_id", "previous_response_id");
      final Mono<ResponseStore.Conversation> history =
          previous == null
              ? Mono.just(ResponseStore.Conversation.EMPTY)
              : store.conversation(caller.tenant(), previous);
      return history.map(conversation -> normalizer.normalize(body, caller, headers, conversation));
    });
  }

  @Override
  public String completion(
      final ChatRequest request, final JsonNode body, final ChatResponse response) {
    final ObjectNode completed = json.completed(request, body, response);
    stored(request, body, response, completed);
    return json.write(completed);
  }

  @Override
  public String error(final GatewayException error) {
    return json.error(error);
  }

  @Override
  public Flux<String> stream(
      final ChatRequest request, final JsonNode body, final Flux<ReplyEvent> events) {
    return new ResponsesStream(
            json, request, body, HttpReplies::asGatewayError,
            (response, completed) -> stored(request, body, response, completed))
        .render(events);
  }

  /** Keeps the answered turn unless the caller said {@code store: false}. */
  private void stored(
      final ChatRequest request,
      final JsonNode body,
      final ChatResponse response,
      final ObjectNode completed) {
    if (!ResponsesNormalizer.store(body)) {
      return;
    }
    store.save(
        StoredResponse.newBuilder()
            .setResponseId(ResponsesJson.responseId(request.getCorrelationId()))
            .setTenant(request.getTenant())
            .setSessionId(request.getSessionId())
            .setPreviousResponseId(body.path("previous_response_id").textValue())
            .setInput(ResponsesInput.messages(body.get("input")))
            .setOutput(List.of(outputMessage(response)))
            .setResponseJson(json.write(completed))
            .setCreatedAt(request.getReceivedAt())
            .build());
  }

  /** The answer as the assistant message a later turn sends back to the model. */
  static Message outputMessage(final ChatResponse response) {
    final List<ContentPart> parts = new ArrayList<>();
    if (response.getReasoning() != null || response.getReasoningSignature() != null) {
      parts.add(
          ContentPart.newBuilder()
              .setType(PartType.REASONING)
              .setText(response.getReasoning() == null ? "" : response.getReasoning())
              .setReasoningSignature(response.getReasoningSignature())
              .setReasoningFormat(response.getReasoningFormat())
              .setReasoningFamily(response.getReasoningFamily())
              .build());
    }
    if (response.getContent() != null && !response.getContent().isEmpty()) {
      parts.add(MessageParts.text(response.getContent()));
    }
    for (final ToolCall call : response.getToolCalls()) {
      parts.add(MessageParts.toolCall(call.getId(), call.getName(), call.getArgumentsJson()));
    }
    return MessageParts.message("assistant", parts);
  }
}
