package dev.flows.bench;

import dev.flows.collector.bpf.BpfConfig;
import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.RingBufferReader;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What agg_flush (bpf/pod.c) costs: the collector runs it every quarter of the aggregation
 * interval, and it walks the whole aggregation map. For n keys, each with one packet held back
 * (from_pod on n distinct UDP flows twice: the first reported, the second held), it times one run
 * with nothing due (the interval has not ended: the walk alone) and one with all n due (one
 * REPORT_FLUSH event each), and checks the flush wrote exactly n events.
 */
final class FlushBench {
    /** Longer than both passes over 50,000 flows take, so every second packet is held back. */
    private static final long INTERVAL_NS = 3_000_000_000L;
    private static final int[] SIZES = {1_000, 10_000, 50_000};

    private final PrintStream out;
    private final Path pins;

    FlushBench(PrintStream out, Path pins) {
        this.out = out;
        this.pins = pins;
    }

    void run() throws InterruptedException {
        out.println("agg_flush: n aggregation keys with one packet held back each; one run with none due, one with all due");
        out.println("| keys | walk, none due: us (ns/key) | flush, all due: us (ns/key) | events written | lost |");
        out.println("|---|---|---|---|---|");
        for (int n : SIZES) {
            Path dir = pins.resolve("flush-" + n);
            try (Datapath dp = Datapath.open(dir, 64 << 20,
                    BpfConfig.DEFAULTS.withAggregationIntervalNs(INTERVAL_NS).withWakeupBytes(Integer.MAX_VALUE));
                    RingBufferReader reader = dp.openReader()) {
                for (int i = 0; i < 100; i++) {
                    dp.flushAggregation(); // warm-up of the call path, on an empty map
                }
                for (int pass = 0; pass < 2; pass++) {
                    for (int flow = 0; flow < n; flow++) {
                        dp.testRun("from_pod", BenchFrames.udp4(flow), 1);
                    }
                }
                int firsts = reader.drain((b, off, len) -> {});
                long t0 = System.nanoTime();
                int none = dp.flushAggregation();
                long walk = System.nanoTime() - t0;
                Thread.sleep(INTERVAL_NS / 1_000_000 + 50);
                long lostBefore = reader.kernelLost();
                t0 = System.nanoTime();
                int written = dp.flushAggregation();
                long flush = System.nanoTime() - t0;
                int read = reader.drain((b, off, len) -> {});
                out.printf("| %,d | %.0f (%.0f) | %.0f (%.0f) | %,d of %,d (%,d read; %,d firsts before; %d written early) | %d |%n",
                        n, walk / 1e3, (double) walk / n, flush / 1e3, (double) flush / n, written, n, read, firsts, none,
                        reader.kernelLost() - lostBefore);
            } finally {
                Datapath.removePins(dir);
            }
        }
    }
}
