package dev.tiergate.launcher.keys;

import dev.tiergate.launcher.ClusterCommand;
import dev.tiergate.launcher.ClusterOptions;
import dev.tiergate.launcher.CommandGroup;
import dev.tiergate.launcher.Table;
import dev.tiergate.schemas.VirtualKey;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tiergate keys create|list|revoke}: virtual keys on {@code tiergate.virtual-keys}. The
 * cluster comes from {@link ClusterOptions}.
 */
@Command(
    name = "keys",
    description = "Create, list and revoke virtual keys (stored hashed on Kafka).",
    subcommands = {
      KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class
    })
public final class KeysCommand extends CommandGroup {

  private static final Table TABLE = Table.of("%-12s %-16s %-16s %-9s %-30s %-30s %-8s %s%n",
      "PREFIX", "HASH", "TENANT", "DEFAULT", "ALLOWED", "MODELS", "STATE", "LABEL");

  private static VirtualKeyStore store(final ClusterOptions cluster) {
    return new VirtualKeyStore(cluster::settings, Clock.systemUTC());
  }

  @Command(name = "create", description = "Create a key; it is printed once and never stored in clear.")
  static final class Create extends ClusterCommand {

    @Option(names = "--tenant", required = true, description = "Tenant the key's spend is booked to.")
    String tenant;

    @Option(names = "--default-tier", defaultValue = "balanced", description = "Tier for model 'auto' (default: ${DEFAULT-VALUE}).")
    String defaultTier;

    @Option(names = "--allowed-tiers", split = ",", description = "Tiers the key may use, comma-separated (default: all).")
    List<String> allowedTiers = new ArrayList<>();

    @Option(names = "--models", split = ",", description = "Explicit provider/model ids the key may name beyond its tiers' routing chains, comma-separated (default: none).")
    List<String> allowedModels = new ArrayList<>();

    @Option(names = "--label", description = "A note shown in listings.")
    String label;

    @Option(names = "--rpm", description = "Requests per minute (default: no limit).")
    Integer requestsPerMinute;

    @Option(names = "--tpm", description = "Input + output tokens per minute (default: no limit).")
    Long tokensPerMinute;

    @Option(names = "--max-concurrent", description = "Requests in flight at once (default: no limit).")
    Integer maxConcurrent;

    @Option(names = "--strong-share", description = "Cost-quality knob: share (0-1) of requests without a mode the predictor may send to the frontier tier (default: 0.3).")
    Double strongShare;

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      // A mistake of the caller's (unknown tier, no such key) is an IllegalArgumentException:
      // CliErrors prints it as one line with exit code 2.
      final VirtualKeyStore.Created created =
          store(cluster).create(tenant, defaultTier, allowedTiers, allowedModels, label,
              new VirtualKeyStore.Limits(requestsPerMinute, tokensPerMinute, maxConcurrent),
              strongShare);
      out.println(created.key());
      out.flush();
      err.println(
          "Created key " + created.row().getKeyPrefix() + "… for tenant " + tenant
              + ". Store it now: it is not shown again.");
      return 0;
    }
  }

  @Command(name = "list", description = "List keys: prefix, hash, tenant, tiers, models, state, label.")
  static final class ListKeys extends ClusterCommand {

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      TABLE.print(out, store(cluster).list(), row -> List.of(
          row.getKeyPrefix(),
          row.getKeyHash().substring(0, 16),
          row.getTenant(),
          row.getDefaultTier(),
          row.getAllowedTiers().isEmpty() ? "all" : String.join(",", row.getAllowedTiers()),
          row.getAllowedModels().isEmpty() ? "-" : String.join(",", row.getAllowedModels()),
          row.getRevoked() ? "revoked" : "active",
          row.getLabel() == null ? "" : row.getLabel()));
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke the one key whose prefix or hash starts with the argument.")
  static final class Revoke extends ClusterCommand {

    @Parameters(index = "0", paramLabel = "PREFIX-OR-HASH", description = "Key prefix (tg-…) or hash prefix.")
    String prefixOrHash;

    @Override
    protected int run(final PrintWriter out, final PrintWriter err) {
      final VirtualKey revoked = store(cluster).revoke(prefixOrHash);
      out.println("Revoked " + revoked.getKeyPrefix() + " (tenant " + revoked.getTenant() + ").");
      return 0;
    }
  }
}
