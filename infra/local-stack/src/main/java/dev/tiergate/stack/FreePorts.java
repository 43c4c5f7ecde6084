package dev.tiergate.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks loopback ports that are free right now, so several stacks (parallel builds, other
 * engineers' tests) can run on one machine without fixed ports colliding.
 */
public final class FreePorts {

  private FreePorts() {}

  /** A port that was free a moment ago; the caller binds it soon after. */
  public static int pick() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
