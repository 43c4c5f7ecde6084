package dev.tiergate.bench;

import dev.tiergate.bench.peer.PortkeyGateway;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that compare Tiergate with calling the simulator directly and with
 * Portkey on the same stack: where reports go, settings for every service, and the peer.
 */
final class ComparisonOptions {

  @Option(names = "--no-peer", description = "skip Portkey (it runs by default)")
  boolean noPeer;

  @Option(names = "--peer-dir", defaultValue = "benchmarks/peer")
  Path peerDir;

  @Mixin ResultsOption results;

  @Mixin ServiceEnvOption serviceEnv;

  /** Portkey, started and listening; null with {@code --no-peer}. */
  PortkeyGateway startPeer() {
    return noPeer ? null : PortkeyGateway.start(peerDir, results.dir.resolve("portkey.log"));
  }

  /** These options as the report's command line spells them ("" when all are defaults). */
  String flags() {
    return serviceEnv.flag() + (noPeer ? " --no-peer" : "");
  }
}
