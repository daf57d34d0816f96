package dev.flows.bench;

import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.relay.export.FlowExporter;
import dev.flows.relay.export.kafka.KafkaBroker;
import dev.flows.relay.export.kafka.KafkaConfig;
import dev.flows.relay.export.kafka.KafkaExporter;
import dev.flows.relay.export.kafka.TestFlows;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;

/**
 * The Kafka exporter's throughput into a real local broker (KRaft, its own JVM, loopback), with
 * the relay's default settings (zstd, 10 ms linger, 256 KiB batches, 64 MiB buffer, idempotent,
 * acks=all): {@link KafkaExporter#export} called on one thread, as the relay's export queue does,
 * with flows of 4096 connections between lab-like pods.
 *
 * <p>Two rows: offered at a fixed rate (the target), and offered as fast as the exporter thread
 * takes them (the ceiling; what the producer cannot buffer is dropped and counted, as in the
 * relay). Each row is verified by a consumer that reads the topic back and counts its records.
 */
final class KafkaBench {
    private static final int CONNECTIONS = 4096;
    private static final int POOL = 1 << 16;

    private final PrintStream out;
    private final int rate;
    private final Duration length;

    KafkaBench(PrintStream out, int rate, Duration length) {
        this.out = out;
        this.rate = rate;
        this.length = length;
    }

    /** One row: what was offered, delivered and lost, and what the consumer found. */
    private record Row(String label, long offered, double seconds, FlowExporter.Sink sink, double deliverSeconds, long consumed) {}

    void run() throws Exception {
        GetFlowsResponse[] flows = new GetFlowsResponse[POOL];
        for (int i = 0; i < POOL; i++) {
            flows[i] = TestFlows.flow(i, CONNECTIONS);
        }
        out.printf("kafka export: starting a local broker (KRaft, one node, loopback) ...%n");
        try (KafkaBroker broker = KafkaBroker.start()) {
            out.printf("  warm-up (%d s, not reported) ...%n", length.toSeconds());
            measure(broker, "warm-up", flows, rate);
            Row paced = measure(broker, String.format("offered at %,d flows/s", rate), flows, rate);
            Row ceiling = measure(broker, "offered as fast as taken", flows, 0);
            out.println();
            out.printf("%-28s %12s %12s %12s %10s %12s%n", "kafka export (1 thread)", "offered/s", "delivered/s", "delivered", "lost", "consumed");
            for (Row r : new Row[] {paced, ceiling}) {
                out.printf("%-28s %,12.0f %,12.0f %,12d %,10d %,12d%s%n", r.label(), r.offered() / r.seconds(),
                        r.sink().delivered() / r.deliverSeconds(), r.sink().delivered(), r.sink().lostTotal(), r.consumed(),
                        r.sink().lost().isEmpty() ? "" : "  lost " + r.sink().lost());
            }
            out.println();
            boolean ok = paced.sink().lostTotal() == 0 && paced.consumed() == paced.offered();
            out.printf("verdict: %s at %,d flows/s offered (delivered = consumed = offered, nothing lost)%n",
                    ok ? "zero loss" : "LOSS", rate);
        }
    }

    /** Offers flows for the run's length ({@code perSecond} 0: unpaced), then waits for every acknowledgement. */
    private Row measure(KafkaBroker broker, String label, GetFlowsResponse[] flows, int perSecond) throws Exception {
        String topic = "flows-bench-" + System.nanoTime();
        broker.createTopic(topic, 3);
        KafkaConfig config = new KafkaConfig();
        new CommandLine(config).parseArgs("--kafka-bootstrap-servers", broker.bootstrap(), "--kafka-topic", topic);
        config.validate();
        KafkaExporter kafka = KafkaExporter.start(config);
        long offered = 0;
        long t0 = System.nanoTime();
        long end = t0 + length.toNanos();
        long now;
        while ((now = System.nanoTime()) < end) {
            if (perSecond > 0 && offered >= (now - t0) * perSecond / 1_000_000_000L) {
                Thread.yield();
                continue;
            }
            for (int i = 0; i < 64; i++) {
                kafka.export(flows[(int) (offered++ & (POOL - 1))]);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (kafka.sink().delivered() + kafka.sink().lostTotal() < offered && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        double deliverSeconds = (System.nanoTime() - t0) / 1e9;
        kafka.close();
        FlowExporter.Sink sink = kafka.sink();
        AtomicLong headed = new AtomicLong();
        long consumed = broker.read(topic, sink.delivered(), Duration.ofSeconds(120), Duration.ofSeconds(1), r -> {
            if (r.headers().lastHeader(KafkaExporter.NODE_HEADER) != null) {
                headed.incrementAndGet();
            }
        });
        if (headed.get() != consumed) {
            throw new IllegalStateException(label + ": " + (consumed - headed.get()) + " records without the node header");
        }
        return new Row(label, offered, seconds, sink, deliverSeconds, consumed);
    }
}
