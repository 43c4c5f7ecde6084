/**
 * A stand-in for cloud LLM providers, speaking their real wire formats over HTTP, so the dispatcher,
 * the demo stack and integration tests run without keys or network.
 *
 * <pre>{@code
 * try (ProviderSimulator sim = ProviderSimulator.start(SimulatorConfig.defaults())) {
 *   // point an OpenAI-compatible client at sim.baseUrl() + "/v1" (or any prefix ending in
 *   // /chat/completions, e.g. sim.baseUrl() + "/groq/openai/v1", to fake several providers)
 *   ...
 *   assertThat(sim.calls("gpt-4.1-mini")).isEqualTo(1);
 *   assertThat(sim.lastRequest("gpt-4.1-mini").orElseThrow().path("stream_options")) ...
 * }
 * }</pre>
 *
 * <p>Embeddings: OpenAI's {@code …/embeddings} and Gemini's {@code …/models/{m}:embedContent} and
 * {@code :batchEmbedContents}, with deterministic unit vectors (seeded by the SHA-256 of each text)
 * of the asked length ({@code dimensions}, {@code outputDimensionality}; 1536 and 768 by default).
 *
 * <p>Per-request control headers: {@code x-sim-fail: 429|500|503|none}, {@code x-sim-latency-ms},
 * {@code x-sim-chunk-interval-ms}, {@code x-sim-stream-abort-after: N}. Standalone: {@link
 * dev.tiergate.stack.simulator.SimulatorMain} with {@code SIMULATOR_*} variables.
 */
package dev.tiergate.stack.simulator;
