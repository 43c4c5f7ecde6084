package dev.tiergate.bench;

import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.bench.peer.PortkeyGateway;
import dev.tiergate.launcher.TiergateStack;
import java.util.Map;

/**
 * The three ways the benchmark reaches the same simulated model ({@code openai/gpt-5-mini}, served
 * by the stack's provider simulator): straight to the simulator, through Tiergate (the {@code
 * balanced} tier routes {@code code} mode to it), and through Portkey. Each sends plain or streamed
 * requests as its {@link RequestBodies.Body} says.
 */
final class Targets {

  static final String MODEL = "gpt-5-mini";
  static final String SIMULATOR_KEY = "sk-sim-bench";

  private Targets() {}

  /** @param simulatorUrl the simulator's base URL, e.g. {@link TiergateStack#simulatorUrl()} */
  static HttpTarget direct(
      final String simulatorUrl, final RequestBodies.Body body, final int connections) {
    return new HttpTarget(
        "direct",
        simulatorUrl + "/openai/v1/chat/completions",
        Map.of("Authorization", "Bearer " + SIMULATOR_KEY),
        seq -> body.of(MODEL, seq),
        connections);
  }

  static HttpTarget tiergate(final TiergateStack stack) {
    return tiergate(stack, RequestBodies::chat, HttpTarget.DEFAULT_CONNECTIONS);
  }

  static HttpTarget tiergate(
      final TiergateStack stack, final RequestBodies.Body body, final int connections) {
    return new HttpTarget(
        "tiergate",
        stack.ingressUrl() + "/v1/chat/completions",
        Map.of("Authorization", "Bearer tg-demo-key", "x-tiergate-mode", "code"),
        seq -> body.of("auto/balanced", seq),
        connections);
  }

  static HttpTarget portkey(final PortkeyGateway gateway, final String simulatorUrl,
      final RequestBodies.Body body, final int connections) {
    return new HttpTarget(
        "portkey",
        gateway.chatCompletionsUrl(),
        PortkeyGateway.upstreamHeaders(simulatorUrl + "/openai/v1", SIMULATOR_KEY),
        seq -> body.of(MODEL, seq),
        connections);
  }
}
