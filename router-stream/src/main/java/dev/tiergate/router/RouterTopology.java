package dev.tiergate.router;

import dev.tiergate.router.DecodedRequest.Decoded;
import dev.tiergate.router.DecodedRequest.Undecodable;
import dev.tiergate.router.RoutingOutcome.Routed;
import dev.tiergate.router.RoutingOutcome.Unroutable;
import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topics;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The router topology: {@code tiergate.requests} (keyed by session id) joined with the routing
 * table becomes {@code tiergate.routed} (keyed by correlation id). Requests that match no rule get
 * an error reply on {@code tiergate.responses}; records that do not decode go, byte for byte, to
 * {@code tiergate.requests.dlq}. Fallback order (detailed in {@link RouteResolver}): an explicit
 * {@code provider/model} bypasses the table; else {@code tier/mode}, then {@code tier/*}; a tier with
 * neither falls back to the default tier's {@code mode} and {@code *} rules; else an error reply.
 *
 * <p>Every step is named so an upgrade keeps its state and its consumer positions; the names are
 * pinned by a test.
 */
public final class RouterTopology {

  /** The routing table's GlobalKTable store, readable by interactive queries. */
  public static final String ROUTES_STORE = "router-routes-store";

  static final String ROUTES_SOURCE = "router-routes-table";
  static final String REQUESTS_SOURCE = "router-requests-source";
  static final String DECODE = "router-decode-request";
  static final String DECODE_BRANCH = "router-decode-";
  static final String DECODED = "ok";
  static final String UNDECODABLE = "dead-letter";
  static final String DLQ_VALUE = "router-dead-letter-bytes";
  static final String DLQ_SINK = "router-requests-dlq-sink";
  static final String DECODED_VALUE = "router-decoded-request";
  static final String RESOLVE = "router-resolve-route";
  static final String REKEY = "router-key-by-correlation-id";
  static final String OUTCOME_BRANCH = "router-outcome-";
  static final String ROUTED = "routed";
  static final String UNROUTABLE = "unroutable";
  static final String ROUTED_VALUE = "router-routed-request";
  static final String ROUTED_SINK = "router-routed-sink";
  static final String ERROR_VALUE = "router-unroutable-response";
  static final String ERROR_SINK = "router-unroutable-sink";

  private RouterTopology() {}

  /** Builds the topology; pure (no I/O), optimisation on through the config's properties. */
  public static Topology build(final SerdeFactory serdes, final RouterConfig config) {
    Objects.requireNonNull(serdes, "serdes");
    Objects.requireNonNull(config, "config");
    final StreamsBuilder builder = new StreamsBuilder();
    routesTable(builder, serdes);
    final KStream<String, DecodedRequest> decoded = decodedRequests(builder, serdes);
    decoded
        .split(Named.as(DECODE_BRANCH))
        .branch(
            (key, value) -> value instanceof Decoded,
            Branched.withConsumer(ok -> route(ok, serdes, config), DECODED))
        .defaultBranch(Branched.withConsumer(RouterTopology::deadLetter, UNDECODABLE));
    return builder.build(config.streamsProperties());
  }

  private static void routesTable(final StreamsBuilder builder, final SerdeFactory serdes) {
    final Serde<String> keys = Topics.ROUTES.keySerde();
    final Serde<Route> values = Topics.ROUTES.valueSerde(serdes);
    builder.globalTable(
        Topics.ROUTES.name(),
        Consumed.with(keys, values).withName(ROUTES_SOURCE),
        Materialized.<String, Route, KeyValueStore<Bytes, byte[]>>as(ROUTES_STORE)
            .withKeySerde(keys)
            .withValueSerde(values));
  }

  private static KStream<String, DecodedRequest> decodedRequests(
      final StreamsBuilder builder, final SerdeFactory serdes) {
    return builder
        .stream(
            Topics.REQUESTS.name(),
            Consumed.with(Topics.REQUESTS.keySerde(), Serdes.ByteArray()).withName(REQUESTS_SOURCE))
        .processValues(
            () -> new DecodeRequestProcessor(Topics.REQUESTS.valueSerde(serdes).deserializer()),
            Named.as(DECODE));
  }

  private static void deadLetter(final KStream<String, DecodedRequest> undecodable) {
    undecodable
        .mapValues(value -> ((Undecodable) value).raw(), Named.as(DLQ_VALUE))
        .to(
            Topics.REQUESTS_DLQ.name(),
            Produced.with(Topics.REQUESTS_DLQ.keySerde(), Serdes.ByteArray()).withName(DLQ_SINK));
  }

  private static void route(
      final KStream<String, DecodedRequest> decoded,
      final SerdeFactory serdes,
      final RouterConfig config) {
    final RouteResolver resolver = new RouteResolver(config.defaultTier());
    decoded
        .mapValues(value -> ((Decoded) value).request(), Named.as(DECODED_VALUE))
        .processValues(() -> new ResolveRouteProcessor(ROUTES_STORE, resolver), Named.as(RESOLVE))
        .selectKey((sessionId, outcome) -> outcome.correlationId(), Named.as(REKEY))
        .split(Named.as(OUTCOME_BRANCH))
        .branch(
            (key, outcome) -> outcome instanceof Routed,
            Branched.withConsumer(routed -> toRouted(routed, serdes), ROUTED))
        .defaultBranch(Branched.withConsumer(error -> toResponses(error, serdes), UNROUTABLE));
  }

  private static void toRouted(
      final KStream<String, RoutingOutcome> routed, final SerdeFactory serdes) {
    routed
        .mapValues(outcome -> ((Routed) outcome).routed(), Named.as(ROUTED_VALUE))
        .to(
            Topics.ROUTED.name(),
            Produced.with(Topics.ROUTED.keySerde(), Topics.ROUTED.valueSerde(serdes))
                .withName(ROUTED_SINK));
  }

  private static void toResponses(
      final KStream<String, RoutingOutcome> errors, final SerdeFactory serdes) {
    errors
        .mapValues(outcome -> ((Unroutable) outcome).response(), Named.as(ERROR_VALUE))
        .to(
            Topics.RESPONSES.name(),
            Produced.with(Topics.RESPONSES.keySerde(), Topics.RESPONSES.valueSerde(serdes))
                .withName(ERROR_SINK));
  }
}
