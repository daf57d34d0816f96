package dev.flows.bench;

import dev.flows.collector.Collector;
import dev.flows.collector.bpf.BpfConfig;
import dev.flows.collector.bpf.Datapath;
import dev.flows.cluster.ClusterState;
import dev.flows.collector.config.CollectorConfig;
import dev.flows.proto.observer.GetFlowsRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;

/**
 * Relay row b: packet-to-client latency. Real collectors ({@link Collector#start}, their whole
 * pipeline: BPF datapath, ring reader, raw queue, decode, enrich, buffer, Observer API) on
 * loopback ports, attached to no interface; the bench opens each collector's pinned datapath a
 * second time and runs {@code from_pod} with BPF_PROG_TEST_RUN, one crafted packet at a time, at
 * random (Poisson) instants, so the event lands in the ring that collector reads. The client
 * follows the relay and takes, per flow, its arrival wall time minus the flow's time (the
 * program's bpf_ktime_get_boot_ns, converted to wall time by the collector).
 */
final class RelayLatency {
    /** One collector node and the bench's handle on its datapath. */
    record Node(String name, Collector collector, Datapath injector, int port) implements AutoCloseable {
        String address() {
            return name + "=127.0.0.1:" + port;
        }

        @Override
        public void close() {
            injector.close();
            collector.close();
        }
    }

    /** Median, p99 and max in ns over {@code samples} flows. */
    record Result(int samples, long median, long p99, long max) {
        static Result of(long[] sorted) {
            if (sorted.length == 0) {
                return new Result(0, 0, 0, 0);
            }
            return new Result(sorted.length, sorted[sorted.length / 2], sorted[(int) Math.min(sorted.length - 1,
                    Math.ceil(sorted.length * 0.99) - 1)], sorted[sorted.length - 1]);
        }
    }

    private RelayLatency() {}

    /**
     * Starts a real collector named {@code name} with its maps pinned under {@code pins}: every
     * packet an event (aggregation none: with connection aggregation the first packet of a
     * connection is reported just as fast), no interface attached (the glob and uplink match nothing), no /metrics (two would share its port).
     */
    static Node start(String name, Path pins, ClusterState cluster) throws IOException {
        int port = freePort();
        CollectorConfig config = new CollectorConfig();
        new CommandLine(config).parseArgs("--node-name", name, "--listen", "127.0.0.1:" + port,
                "--pin-dir", pins.toString(), "--uplink", "", "--pod-interfaces", "flows-bench-attaches-nothing",
                "--aggregation", "none", "--metrics-listen", "off", "--disable-server-tls");
        config.validate();
        Collector c = Collector.start(config, cluster);
        try {
            // the same pins: this second load's programs write into the ring the collector reads
            Datapath injector = Datapath.open(pins, (int) config.ringSize(), BpfConfig.DEFAULTS.withAggregationLevel(BpfConfig.AGG_NONE));
            return new Node(name, c, injector, port);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Follows the relay while {@code busy} nodes each get {@code pps} packets per second (Poisson
     * arrivals), for warm-up + {@code length}; latencies are those of flows stamped after the
     * warm-up, up to the end plus what the merge window still held.
     */
    static Result run(List<Node> busy, int relayPort, int pps, Duration warmup, Duration length) throws InterruptedException {
        try (FlowsClient client = new FlowsClient(relayPort).start(GetFlowsRequest.newBuilder().setFollow(true).build(), true)) {
            Thread.sleep(500); // the relay opens its streams to the collectors
            long start = System.nanoTime();
            long recordAt = start + warmup.toNanos(), end = recordAt + length.toNanos();
            SplittableRandom random = new SplittableRandom(42);
            long[] next = new long[busy.size()];
            java.util.Arrays.fill(next, start);
            boolean recording = false;
            for (int i = 0; ; i++) {
                int n = earliest(next);
                long now = System.nanoTime();
                if (next[n] >= end) {
                    break;
                }
                if (!recording && now >= recordAt) {
                    client.recordLatencies();
                    recording = true;
                }
                if (next[n] > now) {
                    LockSupport.parkNanos(next[n] - now);
                }
                busy.get(n).injector().testRun("from_pod", BenchFrames.mixed(i % 4096), 1);
                next[n] += (long) (-Math.log(1 - random.nextDouble()) * 1e9 / pps);
            }
            Thread.sleep(1500); // the last flows may wait the merge window (1 s) in the relay
            return Result.of(client.stopRecording());
        }
    }

    private static int earliest(long[] next) {
        int best = 0;
        for (int i = 1; i < next.length; i++) {
            if (next[i] < next[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int freePort() throws IOException {
        // loopback only; the collector binds it a moment later (no one else races for loopback ports here)
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
