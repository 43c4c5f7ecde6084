package dev.tiergate.bench.load;

import java.util.concurrent.CompletionStage;

/** One kind of request the load generator sends; completes with the HTTP status. */
@FunctionalInterface
public interface Target {

  /** Starts one request without blocking; completes with its status, or exceptionally. */
  CompletionStage<Integer> send(long sequence);
}
