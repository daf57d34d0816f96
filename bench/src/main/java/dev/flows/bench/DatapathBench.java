package dev.flows.bench;

import dev.flows.lab.Netns;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The datapath's cost, as ratios: (a) pod-to-pod TCP request/response across two nodes with real
 * collectors (datapath mode, observing) against no programs at all, alternated; (b) new-connection
 * latency to the last of 10 and of 10,000 services, our BPF service maps against kube-proxy style
 * iptables rules; (c) programming one more service, endpoint or policy at 100 and at 10,000.
 * Builds its own namespaces ({@link BenchNetwork}), removes them at the end, on failure and on Ctrl-C.
 */
final class DatapathBench {
    private static final int ROUNDS = 6;
    private static final Duration PERSISTENT = Duration.ofMillis(1500);
    private static final Duration NEW_CONNECTIONS = Duration.ofMillis(1000);
    private static final int LATENCY_SAMPLES = 1500;
    private static final int PASSES = 3;
    private static final long SETTLE_MS = 1000;
    private static final int FEW = 10;
    private static final int MANY = 10_000;

    private final PrintStream out;
    private final Path pins;
    private final Netns netns = new Netns();
    private final Logger collectorLog = Logger.getLogger("dev.flows.collector");

    /** @param pins the bench's own directory under the bpffs, removed by the caller */
    DatapathBench(PrintStream out, Path pins) {
        this.out = out;
        this.pins = pins;
    }

    void run() throws IOException {
        out.println("datapath: two nodes in flows-bench-* namespaces, client pod on node-a, two server pods on node-b;");
        out.println("  'on' = a real collector per node (in this JVM, shipped settings: datapath mode, connection aggregation)");
        // the collectors' start and programming lines would bury the table
        collectorLog.setLevel(Level.WARNING);
        BenchNetwork net = BenchNetwork.build();
        Thread cleanup = new Thread(net::close, "bench-netns-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (net; RequestResponse rr = RequestResponse.start(netns)) {
            requestResponse(rr);
            serviceLatency(rr);
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        out.println("(c) programming one more object at 100 vs 10,000 existing");
        new ServiceProgrammingBench(out, pins).run();
        new PolicyBench(out).run();
    }

    private void requestResponse(RequestResponse rr) {
        InetSocketAddress server = new InetSocketAddress(BenchNetwork.SERVER_IPS.get(0), BenchNetwork.SERVER_PORT);
        out.printf("(a) pod-to-pod TCP request/response across nodes, %d-byte messages, %d rounds alternating off/on%n",
                RequestResponse.MESSAGE, ROUNDS);
        rr.persistentRate(server, Duration.ofSeconds(1)); // JIT warm-up of the client and the servers
        rr.newConnectionRate(server, Duration.ofMillis(500));
        double[][] persistent = new double[2][ROUNDS];
        double[][] fresh = new double[2][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            // off-on, then on-off: a drift in the machine's load weighs on both sides alike
            boolean offFirst = r % 2 == 0;
            if (offFirst) {
                persistent[0][r] = rr.persistentRate(server, PERSISTENT);
                fresh[0][r] = rr.newConnectionRate(server, NEW_CONNECTIONS);
            }
            try (BothCollectors on = BothCollectors.start(netns, pins, FEW)) {
                persistent[1][r] = rr.persistentRate(server, PERSISTENT);
                fresh[1][r] = rr.newConnectionRate(server, NEW_CONNECTIONS);
            }
            if (!offFirst) {
                persistent[0][r] = rr.persistentRate(server, PERSISTENT);
                fresh[0][r] = rr.newConnectionRate(server, NEW_CONNECTIONS);
            }
            out.printf("  round %d: persistent %,8.0f -> %,8.0f calls/s, new connection %,7.0f -> %,7.0f calls/s%n", r + 1,
                    persistent[0][r], persistent[1][r], fresh[0][r], fresh[1][r]);
        }
        ratioRow("persistent connection", persistent);
        ratioRow("new connection per call", fresh);
    }

    private void ratioRow(String what, double[][] offOn) {
        double[] ratios = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            ratios[r] = offOn[1][r] / offOn[0][r];
        }
        // on a shared machine a round can lose its CPU to others: the best round of each side shows
        // what each reaches uncontended, the median ratio what a typical pair of neighbouring runs saw
        out.printf("  %-24s median off %,8.0f on %,8.0f calls/s, on/off %.3f (median of the rounds' ratios; target >= 0.95);"
                        + " best off %,8.0f on %,8.0f, on/off %.3f%n",
                what, median(offOn[0]), median(offOn[1]), median(ratios), max(offOn[0]), max(offOn[1]), max(offOn[1]) / max(offOn[0]));
    }

    private void serviceLatency(RequestResponse rr) throws IOException {
        out.printf("(b) new connection to the LAST service: connect() to first answer, us; %d passes alternating 10 and 10,000, %,d connections each%n",
                PASSES, LATENCY_SAMPLES);
        InetSocketAddress pod = new InetSocketAddress(BenchNetwork.SERVER_IPS.get(0), BenchNetwork.SERVER_PORT);
        long[] podOn;
        List<long[]> oursFew = new ArrayList<>();
        List<long[]> oursMany = new ArrayList<>();
        try (BothCollectors on = BothCollectors.start(netns, pins, FEW)) {
            podOn = latency(rr, pod);
            for (int p = 0; p < PASSES; p++) {
                on.update(FEW);
                oursFew.add(latency(rr, FEW));
                on.update(MANY);
                oursMany.add(latency(rr, MANY));
            }
        }
        // the floor: the server pod itself, no translation, nothing attached (before any nat table exists)
        long[] podOff = latency(rr, pod);
        List<long[]> iptFew = new ArrayList<>();
        List<long[]> iptMany = new ArrayList<>();
        long[] restoreMs = new long[2];
        for (int p = 0; p < PASSES; p++) {
            restoreMs[0] = iptables(FEW);
            iptFew.add(latency(rr, FEW));
            restoreMs[1] = iptables(MANY);
            iptMany.add(latency(rr, MANY));
        }
        out.printf("  %-28s median %6.1f p99 %7.1f%n", "pod IP, nothing attached", q(podOff, 0.5) / 1000, q(podOff, 0.99) / 1000);
        out.printf("  %-28s median %6.1f p99 %7.1f%n", "pod IP, collectors on", q(podOn, 0.5) / 1000, q(podOn, 0.99) / 1000);
        long[] of = pooled(oursFew);
        long[] om = pooled(oursMany);
        long[] itf = pooled(iptFew);
        long[] itm = pooled(iptMany);
        latencyRow("ours (BPF service maps)", of, om);
        latencyRow("iptables (kube-proxy style)", itf, itm);
        out.printf("  ours/iptables: at %d services median %.2f p99 %.2f; at %,d services median %.2f p99 %.2f%n",
                FEW, ratio(of, itf, 0.5), ratio(of, itf, 0.99), MANY, ratio(om, itm, 0.5), ratio(om, itm, 0.99));
        out.printf("  (iptables-restore of the whole nat table: %d ms for %d services, %,d ms for %,d services: %,d rules)%n",
                restoreMs[0], FEW, restoreMs[1], MANY, KubeProxyRules.rules(MANY, BenchNetwork.SERVER_IPS.size()));
    }

    private long[] latency(RequestResponse rr, int services) {
        return latency(rr, new InetSocketAddress(BenchNetwork.lastService(services), 80));
    }

    private long[] latency(RequestResponse rr, InetSocketAddress target) {
        rr.connectLatencies(target, LATENCY_SAMPLES / 10); // warm-up, and proof the target answers
        return rr.connectLatencies(target, LATENCY_SAMPLES);
    }

    private static long[] pooled(List<long[]> passes) {
        return passes.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    }

    /**
     * Replaces node-a's nat table with the rules for {@code services}; returns how long that took.
     * No programs are attached then: the nat table does the translation, as with kube-proxy.
     */
    private long iptables(int services) throws IOException {
        List<String> endpoints = new ArrayList<>();
        BenchNetwork.SERVER_IPS.forEach(ip -> endpoints.add(ip + ":" + BenchNetwork.SERVER_PORT));
        Path rules = KubeProxyRules.write(services, endpoints);
        try {
            long t0 = System.nanoTime();
            BenchNetwork.iptablesRestore(BenchNetwork.NODE_A, rules);
            return (System.nanoTime() - t0) / 1_000_000;
        } finally {
            Files.deleteIfExists(rules);
        }
    }

    private void latencyRow(String what, long[] few, long[] many) {
        out.printf("  %-28s %,d: median %6.1f p99 %7.1f   %,d: median %6.1f p99 %7.1f   %,d/%d: median x%.2f p99 x%.2f%n",
                what, FEW, q(few, 0.5) / 1000, q(few, 0.99) / 1000, MANY, q(many, 0.5) / 1000, q(many, 0.99) / 1000,
                MANY, FEW, ratio(many, few, 0.5), ratio(many, few, 0.99));
    }

    private static double ratio(long[] a, long[] b, double quantile) {
        return q(a, quantile) / q(b, quantile);
    }

    /** A quantile of sorted samples. */
    private static double q(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) (quantile * sorted.length))];
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** One real collector per bench node, both programmed with the same services; closing detaches every program. */
    private static final class BothCollectors implements AutoCloseable {
        private final List<NodeCollector> nodes = new ArrayList<>();

        static BothCollectors start(Netns netns, Path pins, int services) {
            BothCollectors c = new BothCollectors();
            try {
                for (String node : List.of(BenchNetwork.NODE_A, BenchNetwork.NODE_B)) {
                    c.nodes.add(NodeCollector.start(netns, node, pins, BenchNetwork.cluster(services)));
                    if (BenchNetwork.filters(node, "eth0").isBlank()) {
                        throw new IllegalStateException("the collector of " + node + " attached nothing to eth0: 'on' would measure 'off'");
                    }
                }
                // a collector runs for days: measure its steady state, not the JIT and the first scans of its start
                Thread.sleep(SETTLE_MS);
                return c;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.close();
                throw new IllegalStateException("interrupted");
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }

        void update(int services) {
            nodes.forEach(n -> n.update(BenchNetwork.cluster(services)));
        }

        @Override
        public void close() {
            for (NodeCollector n : nodes) {
                n.close();
            }
            for (String node : List.of(BenchNetwork.NODE_A, BenchNetwork.NODE_B)) {
                if (!BenchNetwork.filters(node, "eth0").isBlank()) {
                    throw new IllegalStateException("programs still attached in " + node + " after its collector closed: 'off' would measure 'on'");
                }
            }
        }
    }
}
