package dev.tiergate.router;

import dev.tiergate.schemas.ChatRequest;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.TiergateHeaders;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Joins a request with the routing table. The table is a GlobalKTable's store read by key rather
 * than a DSL join because resolution needs up to four lookups with fallbacks ({@link
 * RouteResolver}); every instance holds the whole table, so no repartition is needed either way.
 * Stamps the correlation id header on the outcome.
 */
final class ResolveRouteProcessor
    implements FixedKeyProcessor<String, ChatRequest, RoutingOutcome> {

  private final String routesStoreName;
  private final RouteResolver resolver;
  private FixedKeyProcessorContext<String, RoutingOutcome> context;
  private TimestampedKeyValueStore<String, Route> routes;

  ResolveRouteProcessor(final String routesStoreName, final RouteResolver resolver) {
    this.routesStoreName = Objects.requireNonNull(routesStoreName, "routesStoreName");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, RoutingOutcome> context) {
    this.context = context;
    this.routes = context.getStateStore(routesStoreName);
  }

  @Override
  public void process(final FixedKeyRecord<String, ChatRequest> record) {
    final Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
    final RoutingOutcome outcome = resolver.resolve(record.value(), this::route, now);
    final Headers headers = new RecordHeaders(record.headers().toArray());
    TiergateHeaders.put(headers, TiergateHeaders.CORRELATION_ID, outcome.correlationId());
    context.forward(record.withValue(outcome).withHeaders(headers));
  }

  private Route route(final String key) {
    final ValueAndTimestamp<Route> entry = routes.get(key);
    return entry == null ? null : entry.value();
  }
}
