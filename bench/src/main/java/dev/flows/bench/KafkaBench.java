package dev.flows.bench;

import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.relay.export.FlowExporter;
import dev.flows.relay.export.kafka.KafkaBroker;
import dev.flows.relay.export.kafka.KafkaConfig;
import dev.flows.relay.export.kafka.KafkaExporter;
import dev.flows.relay.export.kafka.TestFlows;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;

/**
 * The Kafka exporter's throughput into a real local broker (KRaft, its own JVM, loopback), with
 * the relay's default settings (zstd, 10 ms linger, 256 KiB batches, 64 MiB buffer, idempotent,
 * acks=all): {@link KafkaExporter#export} called as fast as it returns, on one thread, as the
 * relay's export queue calls it, with flows of 4096 connections between lab-like pods. What the
 * producer cannot take is dropped and counted, as in the relay; a consumer then reads the topic
 * back and counts its records.
 */
final class KafkaBench {
    private static final int CONNECTIONS = 4096;
    private static final int POOL = 1 << 16;
    private static final int RUNS = 3;
    /** Unreported runs first: on a busy 2-core machine the JIT needs about two runs to settle. */
    private static final int WARM_UPS = 2;

    private final PrintStream out;
    private final Duration length;

    KafkaBench(PrintStream out, Duration length) {
        this.out = out;
        this.length = length;
    }

    /** One run: what was offered, delivered and lost, and what the consumer found. */
    private record Run(long offered, double seconds, FlowExporter.Sink sink, double deliverSeconds, long consumed,
            double exporterCpuNanos, double networkCpuNanos) {}

    void run() throws Exception {
        GetFlowsResponse[] flows = new GetFlowsResponse[POOL];
        for (int i = 0; i < POOL; i++) {
            flows[i] = TestFlows.flow(i, CONNECTIONS);
        }
        out.printf("kafka export: starting a local broker (KRaft, one node, loopback) ...%n");
        try (KafkaBroker broker = KafkaBroker.start()) {
            out.printf("  %d warm-up runs (not reported), then %d runs of %d s, each into a topic of its own ...%n",
                    WARM_UPS, RUNS, length.toSeconds());
            for (int i = 0; i < WARM_UPS; i++) {
                measure(broker, flows);
            }
            out.println();
            out.printf("%-24s %12s %12s %12s %10s %12s %14s %14s%n", "kafka export (1 thread)", "offered/s", "delivered/s",
                    "delivered", "lost", "consumed", "export cpu/flow", "network cpu/flow");
            boolean ok = true;
            for (int i = 1; i <= RUNS; i++) {
                Run r = measure(broker, flows);
                out.printf("%-24s %,12.0f %,12.0f %,12d %,10d %,12d %11.2f us %12.2f us%s%n", "run " + i, r.offered() / r.seconds(),
                        r.sink().delivered() / r.deliverSeconds(), r.sink().delivered(), r.sink().lostTotal(), r.consumed(),
                        r.exporterCpuNanos() / 1000, r.networkCpuNanos() / 1000,
                        r.sink().lost().isEmpty() ? "" : "  lost " + r.sink().lost());
                ok &= r.sink().lostTotal() == 0 && r.consumed() == r.offered();
            }
            out.println();
            out.println("verdict: " + (ok ? "zero loss (delivered = consumed = offered in every run)" : "LOSS (see the lost column)"));
        }
    }

    /** Offers flows for the run's length, then waits for every acknowledgement and reads the topic back. */
    private Run measure(KafkaBroker broker, GetFlowsResponse[] flows) throws Exception {
        String topic = "flows-bench-" + System.nanoTime();
        broker.createTopic(topic, 3);
        KafkaConfig config = new KafkaConfig();
        new CommandLine(config).parseArgs("--kafka-bootstrap-servers", broker.bootstrap(), "--kafka-topic", topic);
        config.validate();
        KafkaExporter kafka = KafkaExporter.start(config);
        long offered = 0;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + length.toNanos();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 64; i++) {
                kafka.export(flows[(int) (offered++ & (POOL - 1))]);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long exporterCpu = threads.getCurrentThreadCpuTime() - cpu0;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (kafka.sink().delivered() + kafka.sink().lostTotal() < offered && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        double deliverSeconds = (System.nanoTime() - t0) / 1e9;
        long networkCpu = networkThreadCpu(threads);
        kafka.close();
        FlowExporter.Sink sink = kafka.sink();
        AtomicLong headed = new AtomicLong();
        long consumed = broker.read(topic, sink.delivered(), Duration.ofSeconds(120), Duration.ofSeconds(1), r -> {
            if (r.headers().lastHeader(KafkaExporter.NODE_HEADER) != null) {
                headed.incrementAndGet();
            }
        });
        if (headed.get() != consumed) {
            throw new IllegalStateException((consumed - headed.get()) + " records without the node header");
        }
        return new Run(offered, seconds, sink, deliverSeconds, consumed, (double) exporterCpu / offered, (double) networkCpu / offered);
    }

    /** CPU time of the producer's network thread (one per producer; this run's is the only one alive). */
    private static long networkThreadCpu(ThreadMXBean threads) {
        long ns = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("kafka-producer-network-thread")) {
                ns += Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return ns;
    }
}
