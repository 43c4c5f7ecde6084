package dev.tiergate.dispatcher.provider;

import dev.tiergate.schemas.settings.Setting;
import dev.tiergate.schemas.settings.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Bring-your-own-key provider credentials, kept in this process only: events name a key by {@code
 * keyRef} (or just carry the tenant), never hold it. Key references and tenants have namespaces of
 * their own, so a tenant id can never pick up a key stored under a reference of the same name:
 * entries are {@code <ref>/<provider>} → key for a key reference (matched ignoring case) and {@code
 * tenant.<tenant>/<provider>} → key for a tenant (matched exactly: tenant ids are case-sensitive),
 * read from a properties file ({@code TIERGATE_DISPATCHER_KEYS_FILE}, lines {@code
 * tenant.acme/anthropic=sk-ant-…}) and from variables {@code TIERGATE_BYOK__<REF>__<PROVIDER>} and
 * {@code TIERGATE_BYOK_TENANT__<tenant>__<PROVIDER>} (the provider as in {@code
 * TIERGATE_PROVIDER_*}).
 *
 * <p>Lookup for a request: its {@code keyRef}'s key for the provider, then its tenant's, then the
 * provider's platform key. A {@code keyRef} that names no key at all is an error rather than a
 * silent switch to the platform's account. A tenant listed in {@code
 * TIERGATE_DISPATCHER_BYOK_ONLY_TENANTS} (comma-separated, exact tenant ids) never gets the platform
 * key: without a key of its own the model is skipped as having no credentials. Nothing here logs or
 * prints a key.
 */
public final class KeyStore {

  public static final Setting<Path> KEYS_FILE = Setting.path("TIERGATE_DISPATCHER_KEYS_FILE")
      .withDescription("BYOK keys file, lines like `tenant.acme/anthropic=sk-ant-…` (see Keys)");
  public static final Setting<String> BYOK_ONLY_TENANTS =
      Setting.text("TIERGATE_DISPATCHER_BYOK_ONLY_TENANTS")
          .withDescription(
              "tenants (comma-separated, exact ids) never served on the platform's key");
  public static final String FILE_VARIABLE = KEYS_FILE.name();
  public static final String ENV_PREFIX = "TIERGATE_BYOK__";
  public static final String TENANT_ENV_PREFIX = "TIERGATE_BYOK_TENANT__";
  /** The entry prefix of a tenant's key; entries without it belong to key references. */
  public static final String TENANT_ENTRY_PREFIX = "tenant.";
  public static final String BYOK_ONLY_VARIABLE = BYOK_ONLY_TENANTS.name();

  /** Keys of key references, {@code <ref>/<provider>}, the ref lower-cased. */
  private final Map<String, ApiKey> refKeys;
  /** Keys of tenants, {@code <tenant>/<provider>}, the tenant as given. */
  private final Map<String, ApiKey> tenantKeys;
  private final Set<String> refs;
  private final Set<String> byokOnlyTenants;

  private KeyStore(
      final Map<String, ApiKey> refKeys, final Map<String, ApiKey> tenantKeys,
      final Set<String> byokOnlyTenants) {
    this.refKeys = Map.copyOf(refKeys);
    this.tenantKeys = Map.copyOf(tenantKeys);
    this.byokOnlyTenants = Set.copyOf(byokOnlyTenants);
    final Set<String> known = new HashSet<>();
    refKeys.keySet().forEach(entry -> known.add(entry.substring(0, entry.lastIndexOf('/'))));
    this.refs = Set.copyOf(known);
  }

  public static KeyStore empty() {
    return new KeyStore(Map.of(), Map.of(), Set.of());
  }

  /** From {@code <ref>/<provider>} → key entries. */
  public static KeyStore of(final Map<String, String> entries) {
    Objects.requireNonNull(entries, "entries");
    final Map<String, ApiKey> refKeys = new HashMap<>();
    final Map<String, ApiKey> tenantKeys = new HashMap<>();
    entries.forEach((entry, key) -> {
      final String name = entryName(entry);
      if (name.startsWith(TENANT_ENTRY_PREFIX)) {
        tenantKeys.put(name.substring(TENANT_ENTRY_PREFIX.length()), ApiKey.of(key));
      } else {
        refKeys.put(name, ApiKey.of(key));
      }
    });
    return new KeyStore(refKeys, tenantKeys, Set.of());
  }

  /** The same keys, with these tenants (exact ids) never served on the platform's key. */
  public KeyStore requiringByok(final Set<String> tenants) {
    return new KeyStore(refKeys, tenantKeys, Objects.requireNonNull(tenants, "tenants"));
  }

  /** From the keys file named by {@link #FILE_VARIABLE}, if any, and the BYOK variables. */
  public static KeyStore fromEnv(final Map<String, String> env) {
    final Settings settings = Settings.of(env);
    final Map<String, String> entries = new HashMap<>();
    settings.find(KEYS_FILE).ifPresent(path -> entries.putAll(readFile(path)));
    env.forEach(
        (name, value) -> {
          if (value == null || value.isBlank()) {
            return;
          }
          if (name.startsWith(TENANT_ENV_PREFIX)) {
            entries.put(TENANT_ENTRY_PREFIX + envEntry(name, TENANT_ENV_PREFIX), value);
          } else if (name.startsWith(ENV_PREFIX)) {
            entries.put(envEntry(name, ENV_PREFIX), value);
          }
        });
    final Set<String> byokOnly = new HashSet<>();
    for (final String tenant : settings.find(BYOK_ONLY_TENANTS).orElse("").split(",")) {
      if (!tenant.isBlank()) {
        byokOnly.add(tenant.trim());
      }
    }
    return of(entries).requiringByok(byokOnly);
  }

  /**
   * The key a request uses at a provider.
   *
   * @return empty when neither a BYOK key nor a platform key exists (the call goes without one)
   * @throws ProviderFailure of kind {@link ProviderFailure.Kind#NO_CREDENTIALS} when {@code keyRef}
   *     names no key at all
   */
  public Optional<ApiKey> resolve(
      final String tenant, final String keyRef, final ProviderTarget target) {
    Objects.requireNonNull(target, "target");
    final String provider = target.provider();
    if (keyRef != null && !keyRef.isBlank()) {
      final String ref = normalizeRef(keyRef);
      if (!refs.contains(ref)) {
        throw ProviderFailure.of(
            ProviderFailure.Kind.NO_CREDENTIALS, "no provider key is stored under the request's key reference");
      }
      final ApiKey own = refKeys.get(ref + "/" + provider);
      if (own != null) {
        return Optional.of(own);
      }
    }
    if (tenant != null) {
      final ApiKey tenantKey = tenantKeys.get(tenant + "/" + provider);
      if (tenantKey != null) {
        return Optional.of(tenantKey);
      }
      if (byokOnlyTenants.contains(tenant)) {
        throw ProviderFailure.of(
            ProviderFailure.Kind.NO_CREDENTIALS, "the tenant requires its own provider key");
      }
    }
    return target.endpoint().apiKey().map(ApiKey::of);
  }

  public int size() {
    return refKeys.size() + tenantKeys.size();
  }

  @Override
  public String toString() {
    return "KeyStore[" + size() + " keys, values redacted]";
  }

  private static Map<String, String> readFile(final Path path) {
    final Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new IllegalArgumentException(FILE_VARIABLE + " cannot be read: " + path.getFileName(), e);
    }
    final Map<String, String> entries = new HashMap<>();
    properties.stringPropertyNames().forEach(name -> entries.put(name, properties.getProperty(name)));
    return entries;
  }

  private static String envEntry(final String name, final String prefix) {
    final String rest = name.substring(prefix.length());
    final int split = rest.lastIndexOf("__");
    if (split <= 0 || split == rest.length() - 2) {
      throw new IllegalArgumentException(name + " must look like " + prefix + "<NAME>__<PROVIDER>");
    }
    return rest.substring(0, split) + "/" + rest.substring(split + 2);
  }

  private static String entryName(final String entry) {
    final int slash = entry.lastIndexOf('/');
    if (slash <= 0 || slash == entry.length() - 1) {
      throw new IllegalArgumentException("a key entry must look like <ref>/<provider>, not " + entry);
    }
    final String owner = entry.substring(0, slash).trim();
    final String provider = ModelId.normalizeProvider(entry.substring(slash + 1));
    return owner.startsWith(TENANT_ENTRY_PREFIX)
        ? TENANT_ENTRY_PREFIX + owner.substring(TENANT_ENTRY_PREFIX.length()).trim() + "/" + provider
        : normalizeRef(owner) + "/" + provider;
  }

  private static String normalizeRef(final String ref) {
    return ref.trim().toLowerCase(Locale.ROOT);
  }
}
