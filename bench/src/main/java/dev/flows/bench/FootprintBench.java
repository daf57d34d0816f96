package dev.flows.bench;

import dev.flows.collector.bpf.Datapath;
import dev.flows.lab.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The collector's own footprint (issue 17): one real collector, a process of its own on node-a of
 * the bench's namespaces, started as the lab starts it; its CPU (from /proc, a steady window after
 * a minute of uptime) and RSS while idle, then with new pod-to-pod connections through the veths
 * at paced rates. Flows and losses are the collector's own counts (its /metrics): a connection is
 * many flows, so a rate of connections says little by itself.
 */
final class FootprintBench {
    private static final Duration UPTIME = Duration.ofSeconds(60);
    private static final Duration WINDOW = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** USER_HZ, the unit of utime and stime in /proc/PID/stat on every Linux build that matters. */
    private static final double TICKS_PER_SECOND = 100;
    /**
     * New connections a second: about 1k, 10k and 100k flows/s (a connection is about 18 flows at
     * the default aggregation; the figures are per flow as the collector counts them).
     */
    private static final List<Integer> RATES = List.of(55, 550, 5500);
    private static final long RSS_TARGET_MB = 150;
    private static final double US_PER_FLOW_TARGET = 5;
    private static final String METRICS = "127.0.0.1:9965";
    private static final double IDLE_TARGET = 0.5;
    private static final double LOW_RATE_TARGET = 1.0;
    /** The JVM flags the lab starts collectors with (lab/LabUp), so the figures are the lab's. */
    private static final List<String> JVM_FLAGS = List.of("-XX:+UseParallelGC", "-Xms256m", "-Xmx256m");

    private final PrintStream out;
    private final Path pins;
    private final Netns netns = new Netns();

    FootprintBench(PrintStream out, Path pins) {
        this.out = out;
        this.pins = pins;
    }

    void run() throws IOException, InterruptedException {
        out.printf("footprint: one collector on node-a of flows-bench-* namespaces (its own JVM, %s), CPU over %d s after %d s of uptime%n",
                String.join(" ", JVM_FLAGS), WINDOW.toSeconds(), UPTIME.toSeconds());
        BenchNetwork net = BenchNetwork.build();
        Thread cleanup = new Thread(net::close, "bench-netns-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (net; RequestResponse rr = RequestResponse.start(netns); CollectorProcess c = CollectorProcess.start(pins)) {
            InetSocketAddress server = new InetSocketAddress(BenchNetwork.SERVER_IPS.get(0), BenchNetwork.SERVER_PORT);
            long left = c.startedNanos + UPTIME.toNanos() - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            List<Window> rows = new ArrayList<>();
            rows.add(c.window("idle", () -> TimeUnit.NANOSECONDS.sleep(WINDOW.toNanos())));
            for (int rate : RATES) {
                rr.pacedNewConnections(server, rate, SETTLE);
                rows.add(c.window(String.format("%,d conn/s", rate), () -> rr.pacedNewConnections(server, rate, WINDOW)));
            }
            out.println();
            out.printf("%-12s %10s %10s %8s %8s %12s   %-40s %s%n", "row", "flows/s", "CPU %core", "lost", "RSS MB", "CPU us/flow",
                    "target (and nothing lost, RSS <= " + RSS_TARGET_MB + " MB)", "verdict");
            for (int i = 0; i < rows.size(); i++) {
                Window r = rows.get(i);
                boolean cpuTarget;
                String target;
                if (i == 0) {
                    target = "<= " + IDLE_TARGET + " % of a core";
                    cpuTarget = r.cpuPercent() <= IDLE_TARGET;
                } else if (i == 1) {
                    target = "<= " + LOW_RATE_TARGET + " % of a core (about 1k flows/s)";
                    cpuTarget = r.cpuPercent() <= LOW_RATE_TARGET;
                } else {
                    target = "<= " + US_PER_FLOW_TARGET + " CPU us per flow";
                    cpuTarget = r.usPerFlow() <= US_PER_FLOW_TARGET;
                }
                boolean ok = cpuTarget && r.lost == 0 && r.rss >> 20 <= RSS_TARGET_MB;
                out.printf("%-12s %,10.0f %10.2f %,8d %8d %12s   %-40s %s%n", r.name, r.flowsPerSecond(), r.cpuPercent(), r.lost,
                        r.rss >> 20, r.flows == 0 ? "-" : String.format("%.1f", r.usPerFlow()), target, ok ? "ok" : "MISSED");
            }
            out.println("(flows/s and lost: the collector's own counters, flows_collector_events_read and _lost, over the window;"
                    + " a new connection is several flows: each direction's first packet at each hook, its close, flushed counters)");
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    /** What the collector spent and did over one window. */
    private record Window(String name, long ticks, long nanos, long flows, long lost, long rss) {
        double usPerFlow() {
            return cpuPercent() * 1e4 / flowsPerSecond();
        }

        double cpuPercent() {
            return ticks / TICKS_PER_SECOND * 1e9 / nanos * 100;
        }

        double flowsPerSecond() {
            return flows * 1e9 / nanos;
        }
    }

    private interface Load {
        void run() throws IOException, InterruptedException;
    }

    /** The collector in node-a's namespace, from this jar (which holds the collector's classes). */
    private static final class CollectorProcess implements AutoCloseable {
        private final Process process;
        private final Path log;
        private final Path pinDir;
        private final long startedNanos = System.nanoTime();

        private CollectorProcess(Process process, Path log, Path pinDir) {
            this.process = process;
            this.log = log;
            this.pinDir = pinDir;
        }

        static CollectorProcess start(Path pins) throws IOException, InterruptedException {
            Path jar;
            try {
                jar = Path.of(FootprintBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("cannot find the bench jar: " + e.getMessage());
            }
            String java = ProcessHandle.current().info().command().orElse("java");
            Path pinDir = pins.resolve("node-a");
            Path log = Files.createTempFile("flows-bench-collector-", ".log");
            List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + BenchNetwork.NODE_A, java));
            cmd.addAll(JVM_FLAGS);
            cmd.addAll(List.of("-cp", jar.toString(), "dev.flows.collector.CollectorMain", "--node-name", "node-a",
                    "--listen", "127.0.0.1:4244", "--metrics-listen", METRICS, "--pin-dir", pinDir.toString(),
                    "--cluster-cidr", "10.244.0.0/16",
                    // nothing connects to it here; its TLS cost is for --relay to measure
                    "--disable-server-tls"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            CollectorProcess c = new CollectorProcess(p, log, pinDir);
            try {
                c.awaitServing();
                return c;
            } catch (RuntimeException | InterruptedException e) {
                c.close();
                throw e;
            }
        }

        private void awaitServing() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!Files.readString(log, StandardCharsets.UTF_8).contains(" serving on ")) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the collector did not start (log " + log + "): "
                            + Files.readString(log, StandardCharsets.UTF_8).strip().replace('\n', ' '));
                }
                Thread.sleep(100);
            }
        }

        /** Runs {@code load} and measures the collector meanwhile. */
        Window window(String name, Load load) throws IOException, InterruptedException {
            long[] before = counters();
            long t0 = System.nanoTime();
            long cpu0 = cpuTicks();
            load.run();
            long ticks = cpuTicks() - cpu0;
            long nanos = System.nanoTime() - t0;
            long[] after = counters();
            return new Window(name, ticks, nanos, after[0] - before[0], after[1] - before[1], rssBytes());
        }

        /**
         * Events read and lost, from the collector's /metrics. It listens inside node-a's namespace,
         * so the request goes from a thread that entered it (a blocking socket is made there).
         */
        private long[] counters() throws InterruptedException {
            List<String> lines = new ArrayList<>();
            RuntimeException[] failed = {null};
            Thread t = new Thread(() -> {
                try {
                    new Netns().enter(BenchNetwork.NODE_A);
                    HttpURLConnection http = (HttpURLConnection) URI.create("http://" + METRICS + "/metrics").toURL().openConnection();
                    try (InputStream in = http.getInputStream()) {
                        lines.addAll(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
                    } finally {
                        http.disconnect();
                    }
                } catch (IOException | RuntimeException e) {
                    failed[0] = new IllegalStateException("cannot read the collector's metrics at " + METRICS + ": " + e.getMessage());
                }
            }, "bench-collector-metrics");
            t.start();
            t.join();
            if (failed[0] != null) {
                throw failed[0];
            }
            return new long[] {total(lines, "flows_collector_events_read_total"), total(lines, "flows_collector_events_lost_total")};
        }

        /** The sum of a counter's series in Prometheus text. */
        private static long total(List<String> metrics, String counter) {
            long n = 0;
            for (String line : metrics) {
                if (line.startsWith(counter + "{") || line.startsWith(counter + " ")) {
                    n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return n;
        }

        /** utime + stime of the whole process, in ticks. */
        long cpuTicks() throws IOException {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            // fields after the command name, which is in parentheses and may hold spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }

        long rssBytes() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
            throw new IllegalStateException("no VmRSS in /proc/" + process.pid() + "/status");
        }

        @Override
        public void close() throws IOException {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            Datapath.removePins(pinDir);
            Files.deleteIfExists(log);
        }
    }
}
