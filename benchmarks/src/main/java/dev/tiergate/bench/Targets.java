package dev.tiergate.bench;

import dev.tiergate.bench.load.HttpTarget;
import dev.tiergate.bench.peer.PortkeyGateway;
import dev.tiergate.launcher.TiergateStack;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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

  /** The mode Tiergate's requests carry unless a command says otherwise. */
  static final String MODE = "code";

  static HttpTarget tiergate(final TiergateStack stack) {
    return tiergate(stack, RequestBodies::chat, HttpTarget.DEFAULT_CONNECTIONS);
  }

  static HttpTarget tiergate(
      final TiergateStack stack, final RequestBodies.Body body, final int connections) {
    return tiergate(stack, body, connections, Optional.of(MODE));
  }

  /**
   * @param mode the {@code x-tiergate-mode} to send; none, and the router's predictor picks the
   *     tier under {@code auto/balanced} for every request
   */
  static HttpTarget tiergate(final TiergateStack stack, final RequestBodies.Body body,
      final int connections, final Optional<String> mode) {
    final Map<String, String> headers = new HashMap<>(Map.of("Authorization", "Bearer tg-demo-key"));
    mode.ifPresent(given -> headers.put("x-tiergate-mode", given));
    return new HttpTarget(
        "tiergate",
        stack.ingressUrl() + "/v1/chat/completions",
        headers,
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
