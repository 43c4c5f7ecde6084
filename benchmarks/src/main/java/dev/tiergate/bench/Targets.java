package dev.tiergate.bench;

import dev.tiergate.bench.RequestBodies.Kind;
import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.bench.peer.PortkeyGateway;
import dev.tiergate.launcher.TiergateStack;
import java.util.Map;

/**
 * The three ways the benchmark reaches the same simulated model ({@code openai/gpt-5-mini}, served
 * by the stack's provider simulator at 0 ms): straight to the simulator, through Tiergate (the
 * {@code balanced} tier routes {@code code} mode to it), and through Portkey.
 */
final class Targets {

  static final String MODEL = "gpt-5-mini";
  static final String SIMULATOR_KEY = "sk-sim-bench";

  private Targets() {}

  static HttpTarget direct(final TiergateStack stack) {
    return direct(stack, Kind.SMALL);
  }

  static HttpTarget tiergate(final TiergateStack stack) {
    return tiergate(stack, Kind.SMALL);
  }

  static HttpTarget direct(final TiergateStack stack, final Kind body) {
    return new HttpTarget(
        "direct",
        stack.simulatorUrl() + "/openai/v1/chat/completions",
        Map.of("Authorization", "Bearer " + SIMULATOR_KEY),
        seq -> RequestBodies.of(body, MODEL, seq));
  }

  static HttpTarget tiergate(final TiergateStack stack, final Kind body) {
    return new HttpTarget(
        "tiergate",
        stack.ingressUrl() + "/v1/chat/completions",
        Map.of("Authorization", "Bearer tg-demo-key", "x-tiergate-mode", "code"),
        seq -> RequestBodies.of(body, "auto/balanced", seq));
  }

  static HttpTarget portkey(final PortkeyGateway gateway, final TiergateStack stack, final Kind body) {
    return new HttpTarget(
        "portkey",
        gateway.chatCompletionsUrl(),
        PortkeyGateway.upstreamHeaders(stack.simulatorUrl() + "/openai/v1", SIMULATOR_KEY),
        seq -> RequestBodies.of(body, MODEL, seq));
  }
}
