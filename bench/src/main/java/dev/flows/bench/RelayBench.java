package dev.flows.bench;

import dev.flows.collector.bpf.BpfConfig;
import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.RingBufferReader;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.cluster.ClusterState;
import dev.flows.collector.decode.DecodeErrors;
import dev.flows.collector.decode.Decoder;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.pipeline.FlowProcessor;
import dev.flows.lab.LabTls;
import dev.flows.observer.tls.CertificateAuthority.Issued;
import dev.flows.observer.tls.TlsReloader;
import dev.flows.proto.flow.Flow;
import dev.flows.relay.Relay;
import dev.flows.relay.RelayConfig;
import io.grpc.ChannelCredentials;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * {@code ./run-bench --relay}: the relay's two targets in one run of about a minute, printed side by
 * side with their ratio to target. (a) flows/s from two collectors through the relay to one
 * client, live and as a history read, and live again with mTLS on both hops (a1t, what a cluster
 * runs by default); (b) packet-to-client latency through real collectors and
 * the relay, with both nodes busy and with one quiet (the merge window's worst case).
 * Everything runs in this JVM on loopback; BPF maps are pinned under the caller's pin directory.
 */
final class RelayBench {
    static final double FLOWS_PER_SECOND_TARGET = 250_000;
    static final long MEDIAN_TARGET_NANOS = 100_000_000L;
    static final long P99_TARGET_NANOS = 1_000_000_000L;
    /** Each unreported live pass before the figures (one per client form): long enough that the JIT has settled. */
    static final Duration WARM_PASS = Duration.ofSeconds(8);

    private final PrintStream out;
    private final Path pins;
    private final int rate;
    private final int pps;
    private final Duration length;

    /**
     * @param rate flows/s offered by the two collectors together in the live row
     * @param pps packets/s per busy node in the latency rows
     * @param length timed part of each live row (after a 1 s warm-up)
     */
    RelayBench(PrintStream out, Path pins, int rate, int pps, Duration length) {
        this.out = out;
        this.pins = pins;
        this.rate = rate;
        this.pps = pps;
        this.length = length;
    }

    void run() throws Exception {
        // the relay and collectors log every connect at INFO; the table is the output here
        Logger.getLogger("").setLevel(Level.WARNING);
        Logger.getLogger("dev.flows").setLevel(Level.WARNING);
        // grpc warns about every stream the bench cancels while data is in flight
        Logger.getLogger("io.grpc").setLevel(Level.SEVERE);
        Duration warmup = Duration.ofSeconds(1);
        ClusterState cluster = PipelineBench.cluster();

        out.println("capturing and decoding 4,096 kernel events for realistic flows ...");
        List<Flow> pool = realFlows(cluster, 4096);

        RelayThroughput.Result live, liveHubble, history, historyHubble, direct;
        out.printf("a: two Observer endpoints -> relay -> client, live at %,d flows/s for %d s, then all history ...%n",
                rate, length.toSeconds());
        List<RelayThroughput.Endpoint> endpoints = new ArrayList<>();
        try {
            endpoints.add(new RelayThroughput.Endpoint("node-0"));
            endpoints.add(new RelayThroughput.Endpoint("node-1"));
            try (Relay relay = startRelay(endpoints.stream().map(RelayThroughput.Endpoint::address).toList(), PLAINTEXT, FlowsClient::new)) {
                // A relay runs for days: measure it compiled. One unreported pass of the live and
                // history reads first. On 2 cores beside the load the JIT takes its time: after a
                // 5 s pass the next 4 s still cost about twice the CPU per flow of a relay that
                // had run for 15 s.
                out.printf("   warm-up passes of %d s (not reported) ...%n", WARM_PASS.toSeconds());
                RelayThroughput.live(endpoints, pool, relay.port(), rate, warmup, WARM_PASS, true);
                RelayThroughput.history(endpoints, relay.port(), true);
                RelayThroughput.live(endpoints, pool, relay.port(), rate, warmup, WARM_PASS, false);
                RelayThroughput.history(endpoints, relay.port(), false);
                live = RelayThroughput.live(endpoints, pool, relay.port(), rate, warmup, length, true);
                liveHubble = RelayThroughput.live(endpoints, pool, relay.port(), rate, warmup, length, false);
                history = RelayThroughput.history(endpoints, relay.port(), true);
                historyHubble = RelayThroughput.history(endpoints, relay.port(), false);
            }
            direct = RelayThroughput.direct(endpoints.get(0));
        } finally {
            for (RelayThroughput.Endpoint e : endpoints) {
                e.close();
            }
        }

        RelayThroughput.Result liveTls = liveOverTls(pool, warmup);

        RelayLatency.Result bothBusy, oneQuiet;
        out.printf("b: two real collectors (BPF_PROG_TEST_RUN) -> relay -> client, %,d packets/s per busy node ...%n", pps);
        List<RelayLatency.Node> nodes = new ArrayList<>();
        try {
            nodes.add(RelayLatency.start("node-0", pins.resolve("relay-node-0"), cluster));
            nodes.add(RelayLatency.start("node-1", pins.resolve("relay-node-1"), cluster));
            try (Relay relay = startRelay(nodes.stream().map(RelayLatency.Node::address).toList(), PLAINTEXT, FlowsClient::new)) {
                bothBusy = RelayLatency.run(nodes, relay.port(), pps, warmup, length);
                oneQuiet = RelayLatency.run(nodes.subList(0, 1), relay.port(), pps, warmup, Duration.ofSeconds(3));
            }
        } finally {
            for (RelayLatency.Node n : nodes) {
                n.close();
            }
        }

        out.println();
        printThroughput(live, liveHubble, history, historyHubble, direct, liveTls);
        out.println();
        printLatency(bothBusy, oneQuiet);
    }

    /** Real decoded and enriched flows: kernel events captured from from_pod/to_pod, run through FlowProcessor. */
    private List<Flow> realFlows(ClusterState cluster, int count) {
        PipelineBench.CapturedEvents events;
        BpfConfig none = BpfConfig.DEFAULTS.withAggregationLevel(BpfConfig.AGG_NONE);
        try (Datapath dp = Datapath.open(pins.resolve("relay-capture"), 1 << 20, none); RingBufferReader r = dp.openReader()) {
            events = PipelineBench.CapturedEvents.capture(dp, r, count);
        }
        FlowBuffer buffer = new FlowBuffer(8191);
        FlowProcessor processor = new FlowProcessor(new Decoder("node-0", () -> 0L), new Enricher(cluster, "node-0"),
                buffer, new DecodeErrors(), () -> 0L, () -> 0L, System::nanoTime);
        for (int i = 0; i < events.count(); i++) {
            processor.process(events.buf(), events.offsets()[i], events.lengths()[i]);
        }
        List<Flow> flows = new ArrayList<>();
        for (long seq = buffer.oldestSeq(); seq < buffer.nextSeq(); seq++) {
            flows.add(buffer.get(seq).flow());
        }
        if (flows.size() < count) {
            throw new IllegalStateException("only " + flows.size() + " of " + count + " captured events decoded");
        }
        return flows;
    }

    /**
     * Row a1t: a1 again with mTLS on both hops, as a cluster runs by default: the collectors serve
     * TLS and require the relay's client certificate, the relay checks their names and requires the
     * client's. Certificates as the lab makes them, in a folder removed afterwards.
     */
    private RelayThroughput.Result liveOverTls(List<Flow> pool, Duration warmup) throws Exception {
        out.printf("a1t: the live row again over mTLS on both hops (collectors -> relay -> client) ...%n");
        Path dir = Files.createTempDirectory("flows-bench-tls-");
        List<RelayThroughput.Endpoint> endpoints = new ArrayList<>();
        try (TlsReloader files = new TlsReloader(TlsReloader.DEFAULT_PERIOD)) {
            LabTls tls = LabTls.make(dir, List.of("node-0", "node-1"));
            for (String node : List.of("node-0", "node-1")) {
                Issued c = tls.collector(node);
                endpoints.add(new RelayThroughput.Endpoint(node, files.server(c.cert(), c.key(), List.of(tls.ca()), true)));
            }
            ChannelCredentials toRelay = files.client(List.of(tls.ca()), tls.client().cert(), tls.client().key());
            IntFunction<FlowsClient> client = port -> new FlowsClient(port, toRelay, tls.relayServerName());
            try (Relay relay = startRelay(endpoints.stream().map(RelayThroughput.Endpoint::address).toList(), tls.relayArgs(), client)) {
                out.printf("   warm-up pass of %d s (not reported) ...%n", WARM_PASS.toSeconds());
                RelayThroughput.live(endpoints, pool, client.apply(relay.port()), rate, warmup, WARM_PASS, true);
                return RelayThroughput.live(endpoints, pool, client.apply(relay.port()), rate, warmup, length, true);
            }
        } finally {
            for (RelayThroughput.Endpoint e : endpoints) {
                e.close();
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static final List<String> PLAINTEXT = List.of("--disable-server-tls", "--disable-client-tls");

    /**
     * The real relay on a loopback port, with the shipped settings and {@code tlsArgs}, once it has
     * every collector connected (asked through a client {@code client} makes for its port).
     */
    private static Relay startRelay(List<String> collectors, List<String> tlsArgs, IntFunction<FlowsClient> client) throws Exception {
        RelayConfig config = new RelayConfig();
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--collectors", String.join(",", collectors)));
        args.addAll(tlsArgs);
        new CommandLine(config).parseArgs(args.toArray(String[]::new));
        config.validate();
        Relay relay = Relay.start(config, List.of());
        try (FlowsClient status = client.apply(relay.port())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (status.serverStatus().getNumConnectedNodes().getValue() < collectors.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the relay did not connect to " + collectors + " within 10 s");
                }
                Thread.sleep(100);
            }
        } catch (Exception e) {
            relay.close();
            throw e;
        }
        return relay;
    }

    private void printThroughput(RelayThroughput.Result live, RelayThroughput.Result liveHubble, RelayThroughput.Result history,
            RelayThroughput.Result historyHubble, RelayThroughput.Result direct, RelayThroughput.Result liveTls) {
        String header = String.format("%-52s %11s %11s %9s %9s %9s %9s %9s", "a flows/s, 2 collectors -> relay -> 1 client",
                "offered", "received", "lost", "k flows/s", "target", "x target", "cpu us/f");
        out.println(header);
        out.println("-".repeat(header.length()));
        throughputRow("a1 live, flows observe: " + rate / 1000 + " k/s offered", live);
        lossRow(live);
        throughputRow("a1h live, a Hubble client (GetFlows)", liveHubble);
        lossRow(liveHubble);
        out.printf(Locale.ROOT, "%-52s   (still queued = neither received nor reported lost 3 s after the writers stopped)%n", "");
        out.printf(Locale.ROOT, "%-52s   (cpu us/f = CPU of the whole process per flow received: writers, collectors, relay, client)%n", "");
        throughputRow("a2 history (observe --all), flows observe", history);
        throughputRow("a2h history, a Hubble client (GetFlows)", historyHubble);
        throughputRow("a0 history from one collector directly (no relay)", direct);
        throughputRow("a1t live as a1, mTLS on both hops", liveTls);
        lossRow(liveTls);
        out.println();
        out.printf(Locale.ROOT, "live through the relay to flows observe: %s%n", verdict(live));
        out.printf(Locale.ROOT, "live through the relay to a Hubble client: %s%n", verdict(liveHubble));
        out.printf(Locale.ROOT, "live through the relay over mTLS to flows observe: %s%n", verdict(liveTls));
    }

    /**
     * Met when everything offered at the target rate or above was received, nothing lost: the rate
     * received in the timed part then equals the rate offered, give or take the flows that were in
     * the merge window at its two ends.
     */
    private String verdict(RelayThroughput.Result r) {
        long lost = r.lostRelay() + r.lostCollectors() + r.unaccounted();
        if (lost == 0 && rate >= FLOWS_PER_SECOND_TARGET) {
            return String.format(Locale.ROOT, "met: all %,d flows offered at %,d/s received, none lost (%.1f k/s in the timed part)",
                    r.offered(), rate, r.perSecond() / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f k flows/s received of %,d/s offered, %,d (%.2f %%) reported lost: %s",
                r.perSecond() / 1e3, rate, lost, 100.0 * lost / r.offered(),
                rate < FLOWS_PER_SECOND_TARGET ? "offered below the target" : "MISSED (target >= 250 k/s, nothing lost)");
    }

    private void lossRow(RelayThroughput.Result r) {
        out.printf(Locale.ROOT, "%-52s   lost = relay queue %,d (relay's own count %,d) + collector buffers %,d; still queued %,d%n",
                "", r.lostRelay(), r.relayDrops(), r.lostCollectors(), r.unaccounted());
    }

    private void throughputRow(String label, RelayThroughput.Result r) {
        out.println(String.format(Locale.ROOT, "%-52s %,11d %,11d %,9d %9.1f %9s %9.2f %9.1f", label, r.offered(), r.received(),
                r.lostRelay() + r.lostCollectors(), r.perSecond() / 1e3, ">= 250", r.perSecond() / FLOWS_PER_SECOND_TARGET,
                r.cpuMicrosPerFlow()));
        if (!r.nodesDown().isEmpty()) {
            out.printf(Locale.ROOT, "%-52s   the stream reported %s unavailable or failed during the run: flows of it are missing%n", "",
                    String.join(", ", r.nodesDown()));
        }
    }

    private void printLatency(RelayLatency.Result busy, RelayLatency.Result quiet) {
        String header = String.format("%-52s %8s %9s %9s %9s %15s %9s", "b packet -> client latency, ms", "flows",
                "median", "p99", "max", "x target (m/99)", "verdict");
        out.println(header);
        out.println("-".repeat(header.length()));
        latencyRow("b1 both nodes busy, " + pps + " packets/s each", busy);
        latencyRow("b2 node-1 quiet: node-0's flows wait the window", quiet);
    }

    private void latencyRow(String label, RelayLatency.Result r) {
        double m = (double) r.median() / MEDIAN_TARGET_NANOS, p = (double) r.p99() / P99_TARGET_NANOS;
        out.println(String.format(Locale.ROOT, "%-52s %,8d %9.1f %9.1f %9.1f %7.2f / %5.2f %9s", label, r.samples(),
                r.median() / 1e6, r.p99() / 1e6, r.max() / 1e6, m, p,
                r.samples() == 0 ? "NO FLOWS" : m < 1 && p < 1 ? "met" : "MISSED"));
    }
}
