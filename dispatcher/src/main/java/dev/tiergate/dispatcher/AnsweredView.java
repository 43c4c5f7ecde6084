package dev.tiergate.dispatcher;

import java.util.Objects;

/**
 * This instance's view of answered requests: the correlation ids already answered on {@code
 * tiergate.responses}, kept current by the caller, and how far that view has read the topic.
 *
 * @param produced the ids answered so far; a redelivered request among them is skipped
 * @param catchUp tells when {@code produced} has read the responses topic far enough to serve a
 *     newly assigned partition
 */
record AnsweredView(ProducedResponses produced, ResponsesCatchUp catchUp) {

  AnsweredView {
    Objects.requireNonNull(produced, "produced");
    Objects.requireNonNull(catchUp, "catchUp");
  }
}
