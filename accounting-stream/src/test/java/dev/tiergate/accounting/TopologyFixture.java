package dev.tiergate.accounting;

import dev.tiergate.schemas.Budget;
import dev.tiergate.schemas.BudgetAction;
import dev.tiergate.schemas.BudgetAlert;
import dev.tiergate.schemas.BudgetPeriod;
import dev.tiergate.schemas.BudgetState;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.SpendAggregate;
import dev.tiergate.schemas.Topics;
import dev.tiergate.schemas.UsageEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/** The accounting topology in a TopologyTestDriver, with typed topics and the catalogue loaded. */
final class TopologyFixture implements AutoCloseable {

  static final SerdeFactory SERDES = SerdeFactory.schemaless();
  static final String GPT = "openai/gpt-5";
  static final String MINI = "openai/gpt-5-mini";

  static final Instant PRODUCED_AT = Instant.parse("2030-01-01T00:00:00Z");

  final TopologyTestDriver driver;
  final TestInputTopic<String, UsageEvent> usage;
  final TestInputTopic<String, ModelSpec> models;
  final TestInputTopic<String, Route> routes;
  final TestInputTopic<String, Budget> budgets;
  final TestOutputTopic<String, SpendAggregate> spend;
  final TestOutputTopic<String, BudgetState> budgetState;
  final TestOutputTopic<String, BudgetAlert> alerts;

  TopologyFixture(final AccountingConfig config, final Instant wallClock) {
    driver = new TopologyTestDriver(
        AccountingTopology.build(SERDES, config), config.streamsProperties(), wallClock);
    // Usage time is capped at the record's timestamp (a fast clock must not close windows early),
    // so the records here are stamped as if produced long after the usage happened.
    usage = driver.createInputTopic(Topics.USAGE.name(), new StringSerializer(),
        Topics.USAGE.valueSerde(SERDES).serializer(), PRODUCED_AT, Duration.ZERO);
    models = driver.createInputTopic(Topics.MODELS.name(), new StringSerializer(),
        Topics.MODELS.valueSerde(SERDES).serializer());
    routes = driver.createInputTopic(Topics.ROUTES.name(), new StringSerializer(),
        Topics.ROUTES.valueSerde(SERDES).serializer());
    budgets = driver.createInputTopic(Topics.BUDGETS.name(), new StringSerializer(),
        Topics.BUDGETS.valueSerde(SERDES).serializer());
    spend = driver.createOutputTopic(Topics.SPEND.name(), new StringDeserializer(),
        Topics.SPEND.valueSerde(SERDES).deserializer());
    budgetState = driver.createOutputTopic(Topics.BUDGET_STATE.name(), new StringDeserializer(),
        Topics.BUDGET_STATE.valueSerde(SERDES).deserializer());
    alerts = driver.createOutputTopic(Topics.BUDGET_ALERTS.name(), new StringDeserializer(),
        Topics.BUDGET_ALERTS.valueSerde(SERDES).deserializer());
    // $1.25/M in, $0.125/M cached, $10/M out; and $0.25/M in, $0.025/M cached, $2/M out.
    models.pipeInput(GPT, TestData.model(GPT, 1_250_000, 125_000, 10_000_000));
    models.pipeInput(MINI, TestData.model(MINI, 250_000, 25_000, 2_000_000));
  }

  static TopologyFixture start(final Path stateDir) {
    return new TopologyFixture(TestData.config(stateDir), TestData.AT);
  }

  void frontierRoute(final String... chain) {
    route(CounterfactualPricer.FRONTIER_DEFAULT_RULE, chain);
  }

  /** A routing rule, keyed {@code tier/mode}. */
  void route(final String key, final String... chain) {
    final String[] parts = key.split("/");
    routes.pipeInput(key,
        Route.newBuilder().setTier(parts[0]).setMode(parts[1]).setModels(List.of(chain)).build());
  }

  /** A catalogue entry. */
  void model(final ModelSpec spec) {
    models.pipeInput(spec.getId(), spec);
  }

  /** One usage, its pre-summed spend forwarded at once (as if an interval had passed). */
  void send(final UsageEvent event) {
    sendWithoutFlush(event);
    flush();
  }

  /** One usage, left pending in the pre-sum store until {@link #flush()}. */
  void sendWithoutFlush(final UsageEvent event) {
    usage.pipeInput(event.getCorrelationId(), event);
  }

  /** Lets one pre-sum interval pass on the wall clock, forwarding the pending sums. */
  void flush() {
    driver.advanceWallClockTime(TestData.PRESUM);
  }

  /** A usage of one tenant at a given time. */
  static UsageEvent at(final UsageEvent event, final Instant occurredAt) {
    return UsageEvent.newBuilder(event).setOccurredAt(occurredAt).build();
  }

  static Budget budget(
      final String id, final String tenant, final String mode, final BudgetPeriod period,
      final long limitMicros, final BudgetAction action) {
    return Budget.newBuilder()
        .setBudgetId(id)
        .setTenant(tenant)
        .setMode(mode)
        .setPeriod(period)
        .setLimitMicros(limitMicros)
        .setAction(action)
        .build();
  }

  SpendAggregate total(final String tenant, final SpendDimension by, final String value) {
    final KeyValueStore<String, SpendAggregate> store =
        driver.getKeyValueStore(AccountingTopology.SPEND_STORE);
    return store.get(SpendKey.storeKey(tenant, by, value));
  }

  SpendAggregate windowed(
      final SpendWindow window, final String tenant, final SpendDimension by, final String value,
      final Instant windowStart) {
    final WindowStore<String, SpendAggregate> store = driver.getWindowStore(window.storeName());
    return store.fetch(SpendKey.storeKey(tenant, by, value), windowStart.toEpochMilli());
  }

  Map<String, BudgetState> latestStates() {
    return budgetState.readKeyValuesToMap();
  }

  @Override
  public void close() {
    driver.close();
  }
}
