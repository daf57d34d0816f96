package dev.flows.bench;

import dev.flows.relay.export.kafka.KafkaLogging;
import dev.flows.collector.bpf.BpfConfig;
import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.RingBufferReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The flows throughput bench: kernel producer, C and Java ring readers, the live pair, and the
 * decode/enrich/buffer pipeline, in one run of well under two minutes, printed as one table.
 * Run it with {@code ./bench} at the repository root (root needed); BENCHMARKS.md explains the
 * figures. With {@code --relay} it measures the relay instead ({@link RelayBench}), with
 * {@code --kafka} the Kafka exporter into a local broker ({@link KafkaBench}), with {@code --policy}
 * the cost of programming one more policy or pod ({@link PolicyBench}), with {@code --datapath} the
 * datapath's cost on real traffic and service lookup against iptables ({@link DatapathBench}).
 *
 * <p>Everything it loads is pinned under {@code /sys/fs/bpf/flows/bench-<pid>}, removed at the
 * end, on failure and on Ctrl-C. It attaches to no interface: programs run with BPF_PROG_TEST_RUN
 * (but with {@code --datapath}, which attaches only in namespaces of its own).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures the kernel producer, the ring readers and the pipeline on this machine.")
public final class BenchMain implements Callable<Integer> {
    @Option(names = "--ring-mib", defaultValue = "64", description = "Ring size for stages 1-3 and 5, MiB (power of two, <= 256). Default ${DEFAULT-VALUE}.")
    int ringMib;

    @Option(names = "--rounds", defaultValue = "7", description = "Timed rounds of stages 1-3 (median reported). Default ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--live-seconds", defaultValue = "4", description = "Length of each stage 4 run (with --relay: of each timed relay run). Default ${DEFAULT-VALUE}.")
    int liveSeconds;

    @Option(names = "--capture", defaultValue = "300000", description = "Raw events captured for stage 5. Default ${DEFAULT-VALUE}.")
    int capture;

    @Option(names = "--relay", description = "Measure the relay instead (flows/s from two collectors through it, packet-to-client latency); of the other options only --live-seconds applies (its timed runs).")
    boolean relay;

    @Option(names = "--relay-rate", defaultValue = "250000", description = "With --relay: flows/s the two collectors offer together in the live rows (above the target, the rows show the capacity). Default ${DEFAULT-VALUE}.")
    int relayRate;

    @Option(names = "--relay-pps", defaultValue = "1000", description = "With --relay: packets/s per busy node in the latency rows. Default ${DEFAULT-VALUE}.")
    int relayPps;

    @Option(names = "--metrics", description = "Measure the relay's metrics path instead (ns per flow through every family); no BPF needed.")
    boolean metrics;

    @Option(names = "--kafka", description = "Measure the Kafka exporter instead (flows/s into a local broker it starts, loss, consumer-verified); no BPF needed. Uses --live-seconds.")
    boolean kafka;
    @Option(names = "--exports", description = "Issue 5's exports figures in one run: --metrics, then --kafka, then --traces; no BPF needed.")
    boolean exports;
    @Option(names = "--policy", description = "Measure policy programming instead (one more policy or pod, with 100 and 10,000 existing); no BPF needed.")
    boolean policy;
    @Option(names = "--datapath", description = "Measure the datapath instead: pod-to-pod request/response with and without it, service latency at 10 and 10,000 services against iptables, programming cost. Builds flows-bench-* namespaces; needs root and iptables.")
    boolean datapath;
    @Option(names = "--footprint", description = "Measure the collector's own footprint instead: CPU (%% of a core) and RSS of a collector process idle and at 1k new connections/s through real veths. Builds flows-bench-* namespaces; about two minutes.")
    boolean footprint;
    @Option(names = "--traces", description = "Measure the trace exporter instead (spans/s to an in-process OTLP gRPC receiver, loss); no BPF needed. Rows last --live-seconds.")
    boolean traces;

    @Option(names = "--traces-rate", defaultValue = "10000", description = "With --traces: flows/s offered in the paced row. Default ${DEFAULT-VALUE}.")
    int tracesRate;

    @Option(names = "--traces-otlp", paramLabel = "--otlp-SETTING=VALUE",
            description = "With --traces: a relay trace setting to measure instead of the shipped one, e.g. --traces-otlp=--otlp-batch-size=2048 (repeatable).")
    List<String> tracesOtlp = new ArrayList<>();

    @Option(names = "--flush", description = "Measure agg_flush instead: the aggregation map's walk and flush at 1,000 to 50,000 keys.")
    boolean flush;

    @Option(names = "--ringread", description = "The compiled bpf/bench/ringread.c; stage 2 is skipped without it.")
    Path ringread;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        KafkaLogging.warningsOnly();
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (relay && (relayRate < 1000 || relayPps < 1 || relayPps > 100_000)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "want --relay-rate >= 1000, --relay-pps in 1..100000");
        }
        if (ringMib < 1 || ringMib > 256 || Integer.bitCount(ringMib) != 1 || rounds < 1 || liveSeconds < 1 || liveSeconds > 30) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "want --ring-mib a power of two in 1..256, --rounds >= 1, --live-seconds in 1..30");
        }
        out.println(Report.systemLine());
        if (metrics || exports) {
            new MetricsBench(out).run();
        }
        if (kafka || exports) {
            new KafkaBench(out, Duration.ofSeconds(liveSeconds)).run();
        }
        if (traces || exports) {
            new TracesBench(out, Duration.ofSeconds(liveSeconds), tracesRate, tracesOtlp).run();
        }
        if (metrics || kafka || traces || exports) {
            return 0;
        }
        if (policy) {
            new PolicyBench(out).run();
            return 0;
        }
        Path pins = Datapath.PIN_ROOT.resolve("bench-" + ProcessHandle.current().pid());
        // Ctrl-C or a crash must not leave 64 MiB rings pinned in the kernel
        Thread cleanup = new Thread(() -> Datapath.removePins(pins), "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            if (datapath) {
                new DatapathBench(out, pins).run();
            } else if (footprint) {
                new FootprintBench(out, pins).run();
            } else if (flush) {
                new FlushBench(out, pins).run();
            } else if (relay) {
                new RelayBench(out, pins, relayRate, relayPps, Duration.ofSeconds(liveSeconds)).run();
            } else {
                run(pins);
            }
            return 0;
        } finally {
            Datapath.removePins(pins);
        }
    }

    private void run(Path pins) throws Exception {
        // every packet an event: the heaviest load the producer can put on the reader
        BpfConfig shipped = BpfConfig.DEFAULTS.withAggregationLevel(BpfConfig.AGG_NONE);
        // a watermark no ring reaches: every submit BPF_RB_NO_WAKEUP, the producer's ceiling
        BpfConfig noWakeup = shipped.withWakeupBytes(Integer.MAX_VALUE);
        Path reader = ringread != null && Files.isExecutable(ringread) ? ringread : null;

        out.printf("stages 1-3: %d MiB ring, %d rounds ...%n", ringMib, rounds);
        DrainBench.Results drains;
        PipelineBench.CapturedEvents captured;
        try (Datapath dp = Datapath.open(pins.resolve("drain"), ringMib << 20, noWakeup); RingBufferReader r = dp.openReader()) {
            drains = new DrainBench(dp, r, reader).run(rounds);
            out.printf("capturing %,d raw events for stage 5 ...%n", capture);
            captured = PipelineBench.CapturedEvents.capture(dp, r, capture);
        }
        StageResult shippedProducer;
        try (Datapath dp = Datapath.open(pins.resolve("shipped"), ringMib << 20, shipped); RingBufferReader r = dp.openReader()) {
            // a wakeup per event past the watermark: a few microseconds each, so fewer events
            shippedProducer = new DrainBench(dp, r, null).producerOnly(3, SHIPPED_PRODUCER_EVENTS);
        }
        int ringMibLive = Datapath.DEFAULT_RING_BYTES >> 20;
        out.printf("stage 4: live, %d s per configuration, default %d MiB ring ...%n", liveSeconds, ringMibLive);
        StageResult liveShipped = live("live, shipped watermark", pins.resolve("live-shipped"), shipped);
        StageResult liveNoWakeup = live("live, no wakeups", pins.resolve("live-nowakeup"), noWakeup);

        out.println("stage 5: pipeline on one core ...");
        StageResult pipeline = PipelineBench.run(captured, PipelineBench.pipelineUnderTest(), 5, 9);

        out.println();
        Report.print(out, List.of(
                        "1 producer, no wakeups (" + DrainBench.PROGRAM + ")",
                        "1b producer, shipped 64 KiB watermark, no reader",
                        "2 C reader drain, full ring (libbpf)",
                        "3 Java reader drain, full ring (collector)",
                        "4 live, shipped watermark: prod + Java 1 ms",
                        "4b live, no wakeups: prod + Java 1 ms",
                        "5 decode+enrich+buffer, 1 core"),
                List.of(drains.producer(), shippedProducer, drains.cReader(), drains.javaReader(), liveShipped,
                        liveNoWakeup, pipeline),
                drains.producer(), drains.cReader());
        out.println();
        Report.readerVerdict(out, drains.cReader(), drains.javaReader());
        Report.liveVerdict(out, liveShipped, drains.producer());
        Report.liveVerdict(out, liveNoWakeup, drains.producer());
    }

    /** Events per round of stage 1b: about a second at the ~9 us a forced wakeup costs on a VM. */
    private static final int SHIPPED_PRODUCER_EVENTS = 100_000;

    private StageResult live(String label, Path pinDir, BpfConfig config) throws InterruptedException {
        try (Datapath dp = Datapath.open(pinDir, Datapath.DEFAULT_RING_BYTES, config); RingBufferReader r = dp.openReader()) {
            return LiveBench.run(label, dp, r, Duration.ofSeconds(liveSeconds));
        }
    }
}
