package dev.tiergate.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tiergate.runtime.EntryPoint;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.ModelSpec;
import dev.tiergate.schemas.Route;
import dev.tiergate.schemas.SerdeFactory;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing table and model catalogue a fresh installation starts with, read from {@value
 * #ROUTES_RESOURCE} and {@value #MODELS_RESOURCE} on the classpath and checked on load (every chain
 * names catalogue models). Seeding produces them to the compacted topics, where they are plain
 * data: producing a new record changes routing on the next request.
 */
@EntryPoint
public final class DefaultRoutingTable {

  public static final String ROUTES_RESOURCE = "default-routes.yaml";
  public static final String MODELS_RESOURCE = "default-models.yaml";

  private static final Logger LOG = LoggerFactory.getLogger(DefaultRoutingTable.class);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Map<String, ModelSpec> models;
  private final Map<String, Route> routes;

  private DefaultRoutingTable(final Map<String, ModelSpec> models, final Map<String, Route> routes) {
    this.models = models;
    this.routes = routes;
  }

  /** Loads the default table from the classpath resources. */
  public static DefaultRoutingTable load() {
    try (InputStream routesYaml = resource(ROUTES_RESOURCE);
        InputStream modelsYaml = resource(MODELS_RESOURCE)) {
      return read(routesYaml, modelsYaml);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the default routing table", e);
    }
  }

  /** Reads a table in the same YAML shapes as the default resources; fails fast when invalid. */
  public static DefaultRoutingTable read(final InputStream routesYaml, final InputStream modelsYaml) {
    Objects.requireNonNull(routesYaml, "routesYaml");
    Objects.requireNonNull(modelsYaml, "modelsYaml");
    try {
      final Map<String, ModelSpec> catalogue =
          YamlShapes.toModels(YAML.readValue(modelsYaml, YamlShapes.ModelsFile.class));
      final Map<String, Route> table =
          YamlShapes.toRoutes(YAML.readValue(routesYaml, YamlShapes.RoutesFile.class));
      checkChains(table, catalogue.keySet());
      checkKinds(table, catalogue);
      return new DefaultRoutingTable(catalogue, table);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse routing table YAML", e);
    }
  }

  /**
   * Parses a routing-rules file (the shape of {@value #ROUTES_RESOURCE}) into rules by key; fails
   * with an {@link IllegalArgumentException} saying what is wrong (unknown field, a tier without a
   * default, a rule without modes or models, a duplicate key).
   */
  public static Map<String, Route> parseRoutes(final InputStream routesYaml) {
    Objects.requireNonNull(routesYaml, "routesYaml");
    return YamlShapes.toRoutes(parseYaml(routesYaml, YamlShapes.RoutesFile.class, "routing rules"));
  }

  /**
   * Parses a model-catalogue file (the shape of {@value #MODELS_RESOURCE}) into entries by id;
   * fails with an {@link IllegalArgumentException} saying what is wrong.
   */
  public static Map<String, ModelSpec> parseModels(final InputStream modelsYaml) {
    Objects.requireNonNull(modelsYaml, "modelsYaml");
    return YamlShapes.toModels(parseYaml(modelsYaml, YamlShapes.ModelsFile.class, "model catalogue"));
  }

  /** Fails when a rule names a model that is not in the catalogue. */
  public static void checkChains(
      final Map<String, Route> table, final Set<String> catalogueIds) {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(catalogueIds, "catalogueIds");
    table.forEach((key, route) -> route.getModels().stream()
        .filter(model -> !catalogueIds.contains(model))
        .findFirst()
        .ifPresent(model -> {
          throw new IllegalArgumentException(
              "invalid routing table: rule " + key + " names " + model
                  + ", which is not in the catalogue");
        }));
  }

  /**
   * Fails when an embeddings rule ({@code tier/embeddings}) names a model without the embeddings
   * capability, or any other rule names one with it: such a chain could never serve. Models
   * missing from the catalogue are {@link #checkChains}'s to report.
   */
  public static void checkKinds(
      final Map<String, Route> table, final Map<String, ModelSpec> catalogue) {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(catalogue, "catalogue");
    table.forEach((key, route) -> {
      final boolean embeddingsRule = RouteResolver.EMBEDDINGS_MODE.equals(route.getMode());
      route.getModels().stream()
          .filter(model -> catalogue.containsKey(model)
              && catalogue.get(model).getCapabilities().contains(CapabilityFilter.EMBEDDINGS)
                  != embeddingsRule)
          .findFirst()
          .ifPresent(model -> {
            throw new IllegalArgumentException("invalid routing table: rule " + key + " names "
                + model + (embeddingsRule ? ", which is not an embeddings model"
                    : ", an embeddings model, which serves only embeddings rules"));
          });
    });
  }

  /** The rule key of a route: {@code tier/mode}, {@code tier/*} for the tier's default. */
  public static String key(final Route route) {
    return RouteResolver.ruleKey(route.getTier(), route.getMode());
  }

  /** Rules by key, in file order; fresh copies. */
  public Map<String, Route> routes() {
    return copies(routes, route -> Route.newBuilder(route).build());
  }

  /** Catalogue entries by model id, in file order; fresh copies. */
  public Map<String, ModelSpec> models() {
    return copies(models, model -> ModelSpec.newBuilder(model).build());
  }

  /** Seeds through a producer of the cluster the settings name, with registry serdes. */
  public int seed(final KafkaSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return seed(settings.clientProperties(Map.of()), settings.serdes());
  }

  /** Seeds with a short-lived producer built from a copy of the given properties. */
  public int seed(final Properties producerProperties, final SerdeFactory serdes) {
    Objects.requireNonNull(producerProperties, "producerProperties");
    final Properties props = new Properties();
    props.putAll(producerProperties);
    try (Producer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      return seed(producer, serdes);
    }
  }

  /**
   * Produces the catalogue to {@code tiergate.models} and then the rules to {@code
   * tiergate.routes}, and waits for every send to be acknowledged. Overwrites rules with the same
   * keys; leaves other keys alone.
   *
   * @return the number of records produced
   */
  public int seed(final Producer<String, byte[]> producer, final SerdeFactory serdes) {
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(serdes, "serdes");
    final List<Future<RecordMetadata>> sends = new ArrayList<>();
    sends.addAll(send(producer, Topics.MODELS, models, serdes));
    sends.addAll(send(producer, Topics.ROUTES, routes, serdes));
    producer.flush();
    sends.forEach(DefaultRoutingTable::await);
    LOG.info("seeded {} models and {} routing rules", models.size(), routes.size());
    return sends.size();
  }

  private static <V extends SpecificRecord> List<Future<RecordMetadata>> send(
      final Producer<String, byte[]> producer,
      final Topic<V> topic,
      final Map<String, V> records,
      final SerdeFactory serdes) {
    final List<Future<RecordMetadata>> sends = new ArrayList<>();
    try (Serializer<V> serializer = topic.valueSerde(serdes).serializer()) {
      records.forEach(
          (key, value) ->
              sends.add(
                  producer.send(
                      new ProducerRecord<>(
                          topic.name(), key, serializer.serialize(topic.name(), value)))));
    }
    return sends;
  }

  private static void await(final Future<RecordMetadata> send) {
    try {
      send.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException("interrupted while seeding the routing table", e);
    } catch (ExecutionException e) {
      throw new KafkaException("seeding the routing table failed", e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException("seeding the routing table timed out after " + SEND_TIMEOUT, e);
    }
  }

  /** A YAML file in the given shape; fails with an IllegalArgumentException naming {@code what}. */
  private static <T> T parseYaml(final InputStream yaml, final Class<T> shape, final String what) {
    try {
      return YAML.readValue(yaml, shape);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid " + what + " YAML: " + e.getMessage(), e);
    }
  }

  private static <V> Map<String, V> copies(final Map<String, V> source, final Function<V, V> copy) {
    final Map<String, V> result = new LinkedHashMap<>();
    source.forEach((key, value) -> result.put(key, copy.apply(value)));
    return result;
  }

  private static InputStream resource(final String name) {
    final InputStream stream = DefaultRoutingTable.class.getClassLoader().getResourceAsStream(name);
    if (stream == null) {
      throw new IllegalStateException("missing classpath resource " + name);
    }
    return stream;
  }

  /** The YAML file shapes, and their checked conversion to the Avro records. */
  static final class YamlShapes {

    private YamlShapes() {}

    record ModelsFile(List<ModelEntry> models) {}

    record ModelEntry(
        String id,
        String provider,
        String upstreamModel,
        String family,
        Long inputMicrosPerMillion,
        Long outputMicrosPerMillion,
        Long cachedInputMicrosPerMillion,
        Integer contextWindow,
        List<String> capabilities) {}

    /** @param embeddings per tier, the chain of embeddings models (rule key {@code tier/embeddings}) */
    record RoutesFile(Map<String, TierEntry> tiers, Map<String, RuleEntry> embeddings) {}

    record TierEntry(@JsonProperty("default") RuleEntry defaults, List<RuleEntry> rules) {}

    record RuleEntry(
        List<String> modes, List<String> models, Map<String, String> params, String description) {}

    static Map<String, ModelSpec> toModels(final ModelsFile file) {
      require(file != null && file.models() != null && !file.models().isEmpty(), "no models");
      final Map<String, ModelSpec> catalogue = new LinkedHashMap<>();
      for (final ModelEntry entry : file.models()) {
        final ModelSpec model = toModel(entry);
        require(catalogue.put(model.getId(), model) == null, "duplicate model " + model.getId());
      }
      return catalogue;
    }

    private static ModelSpec toModel(final ModelEntry entry) {
      final String id = text(entry.id(), "model id");
      final String provider = text(entry.provider(), "provider of " + id);
      require(id.startsWith(provider + "/"), "model id " + id + " must be " + provider + "/<model>");
      final long cached = entry.cachedInputMicrosPerMillion() == null
          ? 0L : entry.cachedInputMicrosPerMillion();
      return ModelSpec.newBuilder()
              .setId(id)
              .setProvider(provider)
              .setUpstreamModel(text(entry.upstreamModel(), "upstreamModel of " + id))
              .setFamily(text(entry.family(), "family of " + id))
              .setInputMicrosPerMillion(price(entry.inputMicrosPerMillion(), "input", id))
              .setOutputMicrosPerMillion(price(entry.outputMicrosPerMillion(), "output", id))
              .setCachedInputMicrosPerMillion(price(cached, "cached input", id))
              .setContextWindow(positive(entry.contextWindow(), "contextWindow of " + id))
              .setCapabilities(entry.capabilities() == null ? List.of() : entry.capabilities())
              .build();
    }

    static Map<String, Route> toRoutes(final RoutesFile file) {
      require(file != null && file.tiers() != null && !file.tiers().isEmpty(), "no tiers");
      final Map<String, Route> table = new LinkedHashMap<>();
      file.tiers().forEach((tierName, tier) -> addTier(table, lower(tierName, "tier"), tier));
      if (file.embeddings() != null) {
        file.embeddings().forEach((tierName, rule) -> add(table,
            toRoute(lower(tierName, "tier"), RouteResolver.EMBEDDINGS_MODE, rule)));
      }
      return table;
    }

    private static void addTier(
        final Map<String, Route> table, final String tier, final TierEntry entry) {
      require(entry != null && entry.defaults() != null, "tier " + tier + " has no default rule");
      add(table, toRoute(tier, RouteResolver.WILDCARD, entry.defaults()));
      final List<RuleEntry> rules = entry.rules() == null ? List.of() : entry.rules();
      for (final RuleEntry rule : rules) {
        require(rule.modes() != null && !rule.modes().isEmpty(), "a rule of " + tier + " has no modes");
        rule.modes().forEach(mode -> add(table, toRoute(tier, lower(mode, "mode"), rule)));
      }
    }

    private static void add(final Map<String, Route> table, final Route route) {
      final String key = key(route);
      require(table.put(key, route) == null, "duplicate rule " + key);
    }

    private static Route toRoute(final String tier, final String mode, final RuleEntry rule) {
      final String key = RouteResolver.ruleKey(tier, mode);
      require(rule.models() != null && !rule.models().isEmpty(), "rule " + key + " has no models");
      return Route.newBuilder()
          .setTier(tier)
          .setMode(mode)
          .setModels(List.copyOf(rule.models()))
          .setParams(rule.params() == null ? Map.of() : new LinkedHashMap<>(rule.params()))
          .setDescription(rule.description())
          .build();
    }

    private static String lower(final String value, final String what) {
      return text(value, what).toLowerCase(Locale.ROOT);
    }

    private static String text(final String value, final String what) {
      require(value != null && !value.isBlank(), "missing " + what);
      return value.trim();
    }

    private static long price(final Long value, final String kind, final String id) {
      require(value != null && value >= 0, kind + " price of " + id + " must be given and >= 0");
      return value;
    }

    private static int positive(final Integer value, final String what) {
      require(value != null && value > 0, what + " must be positive");
      return value;
    }

    private static void require(final boolean condition, final String message) {
      if (!condition) {
        throw new IllegalArgumentException("invalid routing table: " + message);
      }
    }
  }
}
