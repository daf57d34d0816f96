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

/**
 * The datapath's cost, as ratios: (a) pod-to-pod TCP request/response across two nodes with real
 * collectors (datapath mode, observing) against no programs at all, alternated; (b) new-connection
 * latency to the last of 10 and of 10,000 services, our BPF service maps against kube-proxy style
 * iptables rules; (c) programming one more service, endpoint or policy at 100 and at 10,000.
 * Builds its own namespaces ({@link BenchNetwork}), removes them at the end, on failure and on Ctrl-C.
 */
final class DatapathBench {
    private static final int ROUNDS = 5;
    private static final Duration PERSISTENT = Duration.ofMillis(1500);
    private static final Duration NEW_CONNECTIONS = Duration.ofMillis(1000);
    private static final int LATENCY_SAMPLES = 3000;
    private static final int FEW = 10;
    private static final int MANY = 10_000;

    private final PrintStream out;
    private final Path pins;
    private final Netns netns = new Netns();

    /** @param pins the bench's own directory under the bpffs, removed by the caller */
    DatapathBench(PrintStream out, Path pins) {
        this.out = out;
        this.pins = pins;
    }

    void run() throws IOException {
        out.println("datapath: two nodes in flows-bench-* namespaces, client pod on node-a, two server pods on node-b;");
        out.println("  'on' = a real collector per node (in this JVM, shipped settings: datapath mode, connection aggregation)");
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
            persistent[0][r] = rr.persistentRate(server, PERSISTENT);
            fresh[0][r] = rr.newConnectionRate(server, NEW_CONNECTIONS);
            try (Collectors on = Collectors.start(netns, pins, FEW)) {
                persistent[1][r] = rr.persistentRate(server, PERSISTENT);
                fresh[1][r] = rr.newConnectionRate(server, NEW_CONNECTIONS);
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
        out.printf("  %-24s off %,8.0f  on %,8.0f calls/s (medians)   on/off %.3f (median of the rounds' ratios; target >= 0.95)%n",
                what, median(offOn[0]), median(offOn[1]), median(ratios));
    }

    private void serviceLatency(RequestResponse rr) throws IOException {
        out.printf("(b) new connection to the LAST service: connect() to first answer, %,d connections each, us%n", LATENCY_SAMPLES);
        long[] oursFew;
        long[] oursMany;
        try (Collectors on = Collectors.start(netns, pins, FEW)) {
            oursFew = latency(rr, FEW);
            on.update(MANY);
            oursMany = latency(rr, MANY);
        }
        long[] iptFew = withIptables(rr, FEW);
        long[] iptMany = withIptables(rr, MANY);
        latencyRow("ours (BPF service maps)", oursFew, oursMany);
        latencyRow("iptables (kube-proxy style)", iptFew, iptMany);
        out.printf("  ours/iptables: at %d services median %.2f p99 %.2f; at %,d services median %.2f p99 %.2f%n",
                FEW, ratio(oursFew, iptFew, 0.5), ratio(oursFew, iptFew, 0.99),
                MANY, ratio(oursMany, iptMany, 0.5), ratio(oursMany, iptMany, 0.99));
    }

    private long[] latency(RequestResponse rr, int services) {
        InetSocketAddress last = new InetSocketAddress(BenchNetwork.lastService(services), 80);
        rr.connectLatencies(last, LATENCY_SAMPLES / 10); // warm-up, and proof the service answers
        return rr.connectLatencies(last, LATENCY_SAMPLES);
    }

    /** No programs attached: the node's nat table does the service translation, as with kube-proxy. */
    private long[] withIptables(RequestResponse rr, int services) throws IOException {
        List<String> endpoints = new ArrayList<>();
        BenchNetwork.SERVER_IPS.forEach(ip -> endpoints.add(ip + ":" + BenchNetwork.SERVER_PORT));
        Path rules = KubeProxyRules.write(services, endpoints);
        try {
            long t0 = System.nanoTime();
            BenchNetwork.iptablesRestore(BenchNetwork.NODE_A, rules);
            out.printf("  iptables-restore of %,d services (%,d rules) took %d ms%n", services, services * (1 + 2 * endpoints.size()) + 2,
                    (System.nanoTime() - t0) / 1_000_000);
            return latency(rr, services);
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

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    /** One real collector per bench node, both programmed with the same services; closing detaches every program. */
    private static final class Collectors implements AutoCloseable {
        private final List<NodeCollector> nodes = new ArrayList<>();

        static Collectors start(Netns netns, Path pins, int services) {
            Collectors c = new Collectors();
            try {
                for (String node : List.of(BenchNetwork.NODE_A, BenchNetwork.NODE_B)) {
                    c.nodes.add(NodeCollector.start(netns, node, pins, BenchNetwork.cluster(services)));
                    if (BenchNetwork.filters(node, "eth0").isBlank()) {
                        throw new IllegalStateException("the collector of " + node + " attached nothing to eth0: 'on' would measure 'off'");
                    }
                }
                return c;
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
