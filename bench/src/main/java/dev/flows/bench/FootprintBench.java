package dev.flows.bench;

import dev.flows.collector.bpf.Datapath;
import dev.flows.lab.Netns;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
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
 * at a paced rate. Each connection is one flow at the default connection aggregation.
 */
final class FootprintBench {
    private static final Duration UPTIME = Duration.ofSeconds(60);
    private static final Duration WINDOW = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** USER_HZ, the unit of utime and stime in /proc/PID/stat on every Linux build that matters. */
    private static final double TICKS_PER_SECOND = 100;
    private static final int RATE = 1000;
    private static final double IDLE_TARGET = 0.5;
    private static final double BUSY_TARGET = 1.0;
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
            long t0 = System.nanoTime();
            long cpu0 = c.cpuTicks();
            TimeUnit.NANOSECONDS.sleep(WINDOW.toNanos());
            Row idle = new Row("idle", 0, c.cpuTicks() - cpu0, System.nanoTime() - t0, c.rssBytes(), IDLE_TARGET);
            rr.pacedNewConnections(server, RATE, SETTLE);
            t0 = System.nanoTime();
            cpu0 = c.cpuTicks();
            double rate = rr.pacedNewConnections(server, RATE, WINDOW);
            Row busy = new Row(String.format("%,d conn/s", RATE), rate, c.cpuTicks() - cpu0, System.nanoTime() - t0,
                    c.rssBytes(), BUSY_TARGET);
            out.println();
            out.printf("%-12s %12s %10s %8s %13s %10s %8s%n", "row", "flows/s", "CPU %core", "RSS MB", "CPU us/flow", "target", "verdict");
            for (Row r : List.of(idle, busy)) {
                out.printf("%-12s %,12.0f %10.2f %8d %13s %10s %8s%n", r.name, r.flowsPerSecond, r.cpuPercent(), r.rss >> 20,
                        r.flowsPerSecond == 0 ? "-" : String.format("%.1f", r.cpuPercent() * 1e4 / r.flowsPerSecond),
                        "<= " + r.target + " %", r.cpuPercent() <= r.target ? "ok" : "MISSED");
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private record Row(String name, double flowsPerSecond, long ticks, long nanos, long rss, double target) {
        double cpuPercent() {
            return ticks / TICKS_PER_SECOND * 1e9 / nanos * 100;
        }
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
                    "--listen", "127.0.0.1:4244", "--metrics-listen", "off", "--pin-dir", pinDir.toString(),
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
