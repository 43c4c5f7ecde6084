package dev.tiergate.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks loopback ports that are free right now, so several stacks (parallel builds, other
 * engineers' tests) can run on one machine without fixed ports colliding.
 *
 * <p>Ports come from below the ephemeral ranges (Linux 32768–60999, IANA and macOS 49152–65535).
 * A port the kernel hands out for {@code bind(0)} is one it also hands out as the local port of
 * an outgoing connection: a Kafka node dialling its peers' controllers took the controller port
 * of a node that had not bound it yet, and that node died with "Address already in use". Ports
 * are handed out in turn from a random start, so one JVM never hands out a port twice.
 */
public final class FreePorts {

  static final int LOWEST = 20_000;
  static final int HIGHEST = 32_767;
  private static final int RANGE = HIGHEST - LOWEST + 1;
  private static final AtomicInteger NEXT =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(RANGE));

  private FreePorts() {}

  /** A port that was free a moment ago; the caller binds it soon after. */
  public static int pick() {
    for (int tried = 0; tried < RANGE; tried++) {
      final int port = LOWEST + Math.floorMod(NEXT.getAndIncrement(), RANGE);
      if (isFree(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port in " + LOWEST + "–" + HIGHEST);
  }

  private static boolean isFree(final int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
