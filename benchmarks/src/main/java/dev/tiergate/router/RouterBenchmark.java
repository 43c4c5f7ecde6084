package dev.tiergate.router;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How the router's benchmarks run, set once so their figures compare: decisions/s (throughput) and
 * per-call time percentiles (sample mode), two 3 s warm-up and three 5 s measured iterations in one
 * fork. JMH reads these annotations from the superclass; each benchmark keeps its own state scope
 * and output unit.
 */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public abstract class RouterBenchmark {}
