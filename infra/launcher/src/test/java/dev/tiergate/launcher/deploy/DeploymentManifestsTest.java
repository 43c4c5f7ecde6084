package dev.tiergate.launcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tiergate.accounting.AccountingConfig;
import dev.tiergate.accounting.batch.BatchConfig;
import dev.tiergate.dispatcher.DispatcherConfig;
import dev.tiergate.ingress.IngressConfig;
import dev.tiergate.router.RouterConfig;
import dev.tiergate.schemas.KafkaSettings;
import dev.tiergate.schemas.Topic;
import dev.tiergate.schemas.Topics;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks {@code infra/deploy} (compose file and Kubernetes manifests) against the code, since no
 * Docker engine or cluster runs them here: the main classes exist, every variable set is one the
 * service reads (found by running its config's {@code fromEnv} over a map that records lookups), the
 * topics job runs first, the Strimzi topic list is the catalogue, no key is written down, and the
 * images are those the Testcontainers profile uses.
 */
class DeploymentManifestsTest {

  private static final String IMAGE = "tiergate:local";
  private static final String CLI = "dev.tiergate.launcher.TiergateCli";
  private static final YAMLMapper YAML = new YAMLMapper();
  /** What each container's main class reads its settings with. */
  private static final Map<String, Consumer<Map<String, String>>> READERS = Map.of(
      "dev.tiergate.ingress.Main", IngressConfig::fromEnv,
      "dev.tiergate.router.Main", RouterConfig::fromEnv,
      "dev.tiergate.dispatcher.Main", DispatcherConfig::fromEnv,
      "dev.tiergate.accounting.Main", AccountingConfig::fromEnv,
      "dev.tiergate.accounting.batch.BatchMain", BatchConfig::fromEnv,
      CLI, KafkaSettings::fromEnv);
  /** Variables read by scanning every name (KafkaSettings, KeyStore) rather than by lookup. */
  /** Variables read by pattern (client settings, BYOK keys) or by the OpenTelemetry SDK itself. */
  private static final Pattern SCANNED =
      Pattern.compile("KAFKA_[A-Z0-9_]+|TIERGATE_BYOK_(TENANT_)?_[A-Za-z0-9_]+|OTEL_[A-Z0-9_]+");
  private static final Pattern KEY_NAME = Pattern.compile(".*_API_KEY|TIERGATE_BYOK_.*");
  private static final Pattern KEY_LITERAL =
      Pattern.compile("sk-[A-Za-z0-9_-]{16,}|sk-ant-[A-Za-z0-9_-]+|AIza[0-9A-Za-z_-]{20,}");

  private static Path deploy;
  private static Path repo;
  private static JsonNode compose;
  private static List<JsonNode> k8s;

  @BeforeAll
  static void load() throws IOException {
    repo = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(repo.resolve("infra/deploy"))) {
      repo = repo.getParent();
      assertThat(repo).as("infra/deploy above the working directory").isNotNull();
    }
    deploy = repo.resolve("infra/deploy");
    compose = YAML.readTree(deploy.resolve("compose.yaml").toFile());
    k8s = new ArrayList<>();
    try (Stream<Path> files = Files.list(deploy.resolve("k8s"))) {
      for (final Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        k8s.addAll(documents(file));
      }
    }
  }

  @Test
  void everyTiergateContainerRunsAnExistingMainClass() throws Exception {
    final Set<String> mains = new TreeSet<>();
    composeServices().values().forEach(service -> mains.add(service.get("command").get(0).asText()));
    containers().forEach(container -> mains.add(container.get("args").get(0).asText()));

    assertThat(mains).containsExactlyInAnyOrderElementsOf(READERS.keySet());
    for (final String main : mains) {
      final Method method = Class.forName(main).getMethod("main", String[].class);
      assertThat(Modifier.isStatic(method.getModifiers())).as(main).isTrue();
    }
  }

  @Test
  void composeSetsOnlyVariablesTheServiceReads() throws IOException {
    for (final Map.Entry<String, JsonNode> service : composeServices().entrySet()) {
      final Map<String, String> env = new LinkedHashMap<>();
      for (final JsonNode file : service.getValue().path("env_file")) {
        env.putAll(envFile(file.asText()));
      }
      service.getValue().path("environment").fields()
          .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
      assertReadOnly(service.getKey(), service.getValue().get("command").get(0).asText(), env);
    }
  }

  @Test
  void kubernetesSetsOnlyVariablesTheServiceReads() {
    for (final JsonNode container : containers()) {
      final Map<String, String> env = kubernetesEnv(container);
      assertReadOnly(container.get("name").asText(), container.get("args").get(0).asText(), env);
    }
  }

  @Test
  void portsTheConfigSetsAreTheOnesDeclaredAndProbed() {
    for (final JsonNode container : containers()) {
      if (container.path("args").size() > 1) {
        continue; // the CLI: no server
      }
      final Map<String, String> env = kubernetesEnv(container);
      final Set<Integer> configured = new TreeSet<>();
      env.forEach((name, value) -> {
        if (name.endsWith("_PORT")) {
          configured.add(Integer.parseInt(value));
        }
      });
      final Map<String, Integer> declared = new TreeMap<>();
      container.path("ports").forEach(p -> declared.put(p.get("name").asText(), p.get("containerPort").asInt()));
      assertThat(new TreeSet<>(declared.values())).as(container.get("name").asText()).isEqualTo(configured);
      for (final String probe : List.of("readinessProbe", "livenessProbe")) {
        if (!declared.isEmpty()) {
          final JsonNode get = container.path(probe).path("httpGet");
          assertThat(get.path("path").asText()).as(probe).isEqualTo(probePath(container, probe));
          assertThat(declared).as(probe).containsKey(get.path("port").asText());
        }
      }
    }
  }

  /** The ingress is ready only once its key and model tables are read (its /ready); else /health. */
  private static String probePath(final JsonNode container, final String probe) {
    final boolean ingress = container.get("args").get(0).asText().equals("dev.tiergate.ingress.Main");
    return ingress && probe.equals("readinessProbe") ? "/ready" : "/health";
  }

  @Test
  void publicServicesCarryNoMetricsPort() {
    final Map<String, Set<Integer>> metricsPorts = new TreeMap<>();
    for (final JsonNode deployment : ofKind("Deployment")) {
      for (final JsonNode container : podSpec(deployment).path("containers")) {
        final Map<String, String> env = kubernetesEnv(container);
        final Set<Integer> ports = new TreeSet<>();
        env.forEach((name, value) -> {
          if (name.endsWith("METRICS_PORT")) {
            ports.add(Integer.parseInt(value));
          }
        });
        metricsPorts.put(name(deployment), ports);
      }
    }
    // The ingress and accounting serve clients; their metrics have a port of their own.
    assertThat(metricsPorts.get("tiergate-ingress")).containsExactly(9080);
    assertThat(metricsPorts.get("tiergate-accounting")).containsExactly(9083);
    for (final String publicService : List.of("tiergate-ingress", "tiergate-accounting")) {
      final JsonNode service = ofKind("Service").stream()
          .filter(s -> name(s).equals(publicService)).findFirst().orElseThrow();
      assertThat(service.path("spec").path("ports")).as(publicService).isNotEmpty()
          .allSatisfy(port -> {
            assertThat(port.path("targetPort").asText()).as(publicService).isNotEqualTo("metrics");
            assertThat(metricsPorts.get(publicService)).as(publicService)
                .doesNotContain(port.path("port").asInt(), port.path("targetPort").asInt(-1));
          });
    }
  }

  @Test
  void topicsJobRunsBeforeEveryService() {
    final Map<String, JsonNode> services = composeServices();
    assertThat(args(services.get("topics").get("command"))).containsExactly(CLI, "topics", "apply", "--seed-routing-table");
    services.forEach((name, service) -> {
      if (!name.equals("topics")) {
        assertThat(service.path("depends_on").path("topics").path("condition").asText())
            .as(name).isEqualTo("service_completed_successfully");
      }
    });

    final List<JsonNode> jobs = ofKind("Job");
    assertThat(jobs).hasSize(1);
    assertThat(args(podSpec(jobs.get(0)).get("containers").get(0).get("args")))
        .containsExactly(CLI, "topics", "apply", "--seed-routing-table");
    final List<JsonNode> deployments = ofKind("Deployment");
    assertThat(deployments).hasSize(5);
    for (final JsonNode deployment : deployments) {
      final JsonNode init = podSpec(deployment).path("initContainers");
      assertThat(init.size()).as(name(deployment)).isEqualTo(1);
      // `topics show` exits 1 while a catalogue topic is missing (TopicsCommandTest), so the pod
      // waits, restarting the init container, until the Job has created them.
      assertThat(args(init.get(0).get("args"))).containsExactly(CLI, "topics", "show");
      assertThat(init.get(0).get("image").asText()).isEqualTo(IMAGE);
    }
  }

  @Test
  void strimziTopicListIsTheCatalogue() throws IOException {
    final Map<String, String> listed = new TreeMap<>();
    for (final JsonNode topic : documents(deploy.resolve("k8s/strimzi/kafka-topics.yaml"))) {
      assertThat(topic.get("kind").asText()).isEqualTo("KafkaTopic");
      final JsonNode spec = topic.get("spec");
      listed.put(spec.get("topicName").asText(), describe(spec.get("partitions").asInt(),
          spec.path("config").path("cleanup.policy").asText(),
          spec.path("config").path("retention.ms").asText("")));
    }
    final Map<String, String> catalogue = new TreeMap<>();
    for (final Topic<?> topic : Topics.ALL) {
      catalogue.put(topic.name(), describe(topic.partitions(), topic.cleanupPolicy().configValue(),
          topic.retention().map(r -> String.valueOf(r.toMillis())).orElse("")));
    }
    assertThat(listed).isEqualTo(catalogue);
  }

  @Test
  void strimziTopicsCarryWhatTheIngressAccepts() throws IOException {
    for (final JsonNode topic : documents(deploy.resolve("k8s/strimzi/kafka-topics.yaml"))) {
      assertThat(topic.get("spec").path("config").path("max.message.bytes").asText())
          .as(topic.get("spec").get("topicName").asText())
          .isEqualTo(String.valueOf(dev.tiergate.schemas.BusLimits.MAX_RECORD_BYTES));
    }
  }

  @Test
  void noProviderKeyIsWrittenDown() throws IOException {
    try (Stream<Path> files = Files.walk(deploy)) {
      for (final Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(KEY_LITERAL.matcher(Files.readString(file)).find()).as(file.toString()).isFalse();
      }
    }
    // Key variables come only from a Secret or a git-ignored env file, and the templates are blank.
    ofKind("ConfigMap").forEach(map -> map.path("data").fieldNames()
        .forEachRemaining(name -> assertThat(name).as(name(map)).doesNotMatch(KEY_NAME)));
    envFile("tiergate.env").keySet().forEach(name -> assertThat(name).doesNotMatch(KEY_NAME));
    composeServices().forEach((service, node) -> node.path("environment").fieldNames()
        .forEachRemaining(name -> assertThat(name).as(service).doesNotMatch(KEY_NAME)));
    containers().forEach(container -> container.path("env").forEach(
        var -> assertThat(var.get("name").asText()).doesNotMatch(KEY_NAME)));
    ofKind("Secret").forEach(secret -> secret.path("stringData").fields().forEachRemaining(e -> {
      if (KEY_NAME.matcher(e.getKey()).matches()) {
        assertThat(e.getValue().asText()).as(e.getKey()).isEmpty();
      }
    }));
    envFile("secrets.env").forEach((name, value) -> assertThat(value).as(name).isEmpty());
    assertThat(Files.readAllLines(deploy.resolve(".gitignore"))).contains("secrets.env", "virtual-keys.env");
  }

  @Test
  void brokerAndRegistryImagesAreTheTestcontainersOnes() throws IOException {
    final String source = Files.readString(repo.resolve(
        "infra/launcher/src/test/java/dev/tiergate/launcher/faults/containers/ContainerClusterTest.java"));
    final Map<String, JsonNode> services = new HashMap<>();
    compose.get("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));

    assertThat(services.get("registry").get("image").asText()).isEqualTo(constant(source, "REGISTRY_IMAGE"));
    assertThat(services.get("kafka").get("image").asText()).isEqualTo(constant(source, "KAFKA_IMAGE"));
  }

  private static void assertReadOnly(final String where, final String main, final Map<String, String> env) {
    final Set<String> read = new TreeSet<>();
    READERS.get(main).accept(new RecordingEnv(env, read));
    for (final String name : env.keySet()) {
      if (!SCANNED.matcher(name).matches()) {
        assertThat(read).as("%s sets %s; %s never reads it", where, name, main).contains(name);
      }
    }
  }

  /** The Tiergate services of the compose file (built from infra/deploy/Dockerfile). */
  private static Map<String, JsonNode> composeServices() {
    final Map<String, JsonNode> services = new TreeMap<>();
    compose.get("services").fields().forEachRemaining(e -> {
      if (e.getValue().path("image").asText().equals(IMAGE)) {
        assertThat(e.getValue().path("build").path("dockerfile").asText()).isEqualTo("infra/deploy/Dockerfile");
        services.put(e.getKey(), e.getValue());
      }
    });
    assertThat(services).containsKeys("topics", "ingress", "router", "dispatcher", "accounting");
    return services;
  }

  /** Every container and init container of the Kubernetes manifests running the Tiergate image. */
  private static List<JsonNode> containers() {
    final List<JsonNode> containers = new ArrayList<>();
    for (final JsonNode workload : k8s) {
      final JsonNode pod = podSpec(workload);
      Stream.of(pod.path("containers"), pod.path("initContainers")).forEach(list -> list.forEach(c -> {
        assertThat(c.get("image").asText()).isEqualTo(IMAGE);
        containers.add(c);
      }));
    }
    assertThat(containers).isNotEmpty();
    return containers;
  }

  /** The variables a container gets: its ConfigMaps', its Secrets' (templates) and its own. */
  private static Map<String, String> kubernetesEnv(final JsonNode container) {
    final Map<String, String> env = new LinkedHashMap<>();
    for (final JsonNode from : container.path("envFrom")) {
      final boolean secret = from.has("secretRef");
      final String ref = from.path(secret ? "secretRef" : "configMapRef").get("name").asText();
      final JsonNode source = k8s.stream()
          .filter(d -> d.get("kind").asText().equals(secret ? "Secret" : "ConfigMap") && name(d).equals(ref))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no ConfigMap/Secret " + ref));
      source.path(secret ? "stringData" : "data").fields()
          .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    for (final JsonNode var : container.path("env")) {
      env.put(var.get("name").asText(), var.has("value") ? var.get("value").asText() : "10.0.0.1");
    }
    return env;
  }

  /** A compose env file; the committed templates stand in for the git-ignored key files. */
  private static Map<String, String> envFile(final String name) throws IOException {
    final Path file = Files.exists(deploy.resolve(name + ".example"))
        ? deploy.resolve(name + ".example") : deploy.resolve(name);
    final Map<String, String> env = new LinkedHashMap<>();
    for (final String line : Files.readAllLines(file)) {
      final String trimmed = line.trim();
      if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
        final int eq = trimmed.indexOf('=');
        env.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
      }
    }
    assertThat(env).as(name).isNotEmpty();
    return env;
  }

  private static List<JsonNode> documents(final Path file) throws IOException {
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      return docs.readAll().stream().filter(d -> d != null && !d.isNull() && !d.isMissingNode()).toList();
    }
  }

  private static List<JsonNode> ofKind(final String kind) {
    return k8s.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  private static JsonNode podSpec(final JsonNode workload) {
    return workload.path("spec").path("template").path("spec");
  }

  private static String name(final JsonNode resource) {
    return resource.path("metadata").path("name").asText();
  }

  private static List<String> args(final JsonNode array) {
    final List<String> args = new ArrayList<>();
    array.forEach(a -> args.add(a.asText()));
    return args;
  }

  private static String describe(final int partitions, final String policy, final String retention) {
    return partitions + " " + policy + " " + retention;
  }

  private static String constant(final String source, final String field) {
    final Matcher matcher = Pattern.compile(field + "\\s*=\\s*\"([^\"]+)\"").matcher(source);
    assertThat(matcher.find()).as(field).isTrue();
    return matcher.group(1);
  }

  /** An environment that notes every name looked up. */
  private static final class RecordingEnv extends java.util.AbstractMap<String, String> {
    private final Map<String, String> env;
    private final Set<String> read;

    RecordingEnv(final Map<String, String> env, final Set<String> read) {
      this.env = env;
      this.read = read;
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
      return env.entrySet();
    }

    @Override
    public String get(final Object key) {
      read.add(String.valueOf(key));
      return env.get(key);
    }

    @Override
    public String getOrDefault(final Object key, final String fallback) {
      read.add(String.valueOf(key));
      return env.getOrDefault(key, fallback);
    }

    @Override
    public boolean containsKey(final Object key) {
      read.add(String.valueOf(key));
      return env.containsKey(key);
    }
  }
}
