package dev.tiergate.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Picked ports stay clear of the ports outgoing connections get, and are not handed out twice. */
class FreePortsTest {

  private static final Path LINUX_EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  @Test
  void picksBelowTheEphemeralRangeOfOutgoingConnections() throws Exception {
    final int lowestEphemeral = Files.isReadable(LINUX_EPHEMERAL_RANGE)
        ? Integer.parseInt(Files.readAllLines(LINUX_EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0])
        : 49_152;
    for (int i = 0; i < 50; i++) {
      assertThat(FreePorts.pick()).isBetween(FreePorts.LOWEST, lowestEphemeral - 1);
    }
  }

  @Test
  void handsOutDistinctPortsThatCanBeBound() throws Exception {
    final Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      final int port = FreePorts.pick();
      assertThat(picked.add(port)).as("port %d handed out twice", port).isTrue();
      try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertThat(server.getLocalPort()).isEqualTo(port);
      }
    }
  }
}
