package dev.tiergate.dispatcher.provider;

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
 * keyRef} (or just carry the tenant), never hold it. Entries are {@code <ref>/<provider>} → key,
 * where the ref is a key reference or a tenant id, read from a properties file ({@code
 * TIERGATE_DISPATCHER_KEYS_FILE}, lines {@code acme/anthropic=sk-ant-…}) and from variables {@code
 * TIERGATE_BYOK__<REF>__<PROVIDER>} (the ref lower-cased, the provider as in {@code
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

  public static final String FILE_VARIABLE = "TIERGATE_DISPATCHER_KEYS_FILE";
  public static final String ENV_PREFIX = "TIERGATE_BYOK__";
  public static final String BYOK_ONLY_VARIABLE = "TIERGATE_DISPATCHER_BYOK_ONLY_TENANTS";

  private final Map<String, ApiKey> keys;
  private final Set<String> refs;
  private final Set<String> byokOnlyTenants;

  private KeyStore(final Map<String, ApiKey> keys, final Set<String> byokOnlyTenants) {
    this.keys = Map.copyOf(keys);
    this.byokOnlyTenants = Set.copyOf(byokOnlyTenants);
    final Set<String> known = new HashSet<>();
    keys.keySet().forEach(entry -> known.add(entry.substring(0, entry.lastIndexOf('/'))));
    this.refs = Set.copyOf(known);
  }

  public static KeyStore empty() {
    return new KeyStore(Map.of(), Set.of());
  }

  /** From {@code <ref>/<provider>} → key entries. */
  public static KeyStore of(final Map<String, String> entries) {
    Objects.requireNonNull(entries, "entries");
    final Map<String, ApiKey> keys = new HashMap<>();
    entries.forEach((entry, key) -> keys.put(entryName(entry), ApiKey.of(key)));
    return new KeyStore(keys, Set.of());
  }

  /** The same keys, with these tenants (exact ids) never served on the platform's key. */
  public KeyStore requiringByok(final Set<String> tenants) {
    return new KeyStore(keys, Objects.requireNonNull(tenants, "tenants"));
  }

  /** From the keys file named by {@link #FILE_VARIABLE}, if any, and the BYOK variables. */
  public static KeyStore fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    final Map<String, String> entries = new HashMap<>();
    Optional.ofNullable(env.get(FILE_VARIABLE))
        .filter(path -> !path.isBlank())
        .ifPresent(path -> entries.putAll(readFile(Path.of(path.trim()))));
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX) && value != null && !value.isBlank()) {
            entries.put(envEntry(name), value);
          }
        });
    final Set<String> byokOnly = new HashSet<>();
    for (final String tenant : env.getOrDefault(BYOK_ONLY_VARIABLE, "").split(",")) {
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
      final ApiKey own = keys.get(ref + "/" + provider);
      if (own != null) {
        return Optional.of(own);
      }
    }
    if (tenant != null) {
      final ApiKey tenantKey = keys.get(normalizeRef(tenant) + "/" + provider);
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
    return keys.size();
  }

  @Override
  public String toString() {
    return "KeyStore[" + keys.size() + " keys, values redacted]";
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

  private static String envEntry(final String name) {
    final String rest = name.substring(ENV_PREFIX.length());
    final int split = rest.lastIndexOf("__");
    if (split <= 0 || split == rest.length() - 2) {
      throw new IllegalArgumentException(name + " must look like " + ENV_PREFIX + "<REF>__<PROVIDER>");
    }
    return rest.substring(0, split) + "/" + rest.substring(split + 2);
  }

  private static String entryName(final String entry) {
    final int slash = entry.lastIndexOf('/');
    if (slash <= 0 || slash == entry.length() - 1) {
      throw new IllegalArgumentException("a key entry must look like <ref>/<provider>, not " + entry);
    }
    return normalizeRef(entry.substring(0, slash)) + "/" + ModelId.normalizeProvider(entry.substring(slash + 1));
  }

  private static String normalizeRef(final String ref) {
    return ref.trim().toLowerCase(Locale.ROOT);
  }
}
