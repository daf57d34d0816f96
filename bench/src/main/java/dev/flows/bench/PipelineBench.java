package dev.flows.bench;

import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.collector.decode.DecodeErrors;
import dev.flows.collector.decode.Decoder;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.pipeline.FlowProcessor;
import dev.flows.collector.bpf.RecordHandler;
import dev.flows.collector.bpf.RingBufferReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Stage 5: decode + enrich + buffer on one core, fed with real kernel records captured from the
 * ring beforehand, so that the figure is the pipeline's alone (no kernel, no ring).

 */
final class PipelineBench {
    private PipelineBench() {}

    /** Records copied out of the ring into one byte array, handed out as the ring hands them. */
    record CapturedEvents(ByteBuffer buf, int[] offsets, int[] lengths) {
        int count() {
            return offsets.length;
        }

        /**
         * Produces {@code count} events from a mix of frames (both directions of many TCP and UDP
         * flows, IPv4 and IPv6, through from_pod and to_pod) and copies them out of the ring.
         * The ring must be empty and hold {@code count} events.
         */
        static CapturedEvents capture(Datapath dp, RingBufferReader reader, int count) {
            for (int i = 0; i < count; i++) {
                // pod egress sees requests (from_pod), pod ingress sees replies (to_pod)
                dp.testRun((i & 1) == 0 ? "from_pod" : "to_pod", BenchFrames.mixed(i % 4096), 1);
            }
            byte[] bytes = new byte[dp.ringBytes()];
            int[] offsets = new int[count], lengths = new int[count];
            int[] n = {0}, end = {0};
            reader.drain((b, off, len) -> {
                if (n[0] < count) {
                    b.get(off, bytes, end[0], len);
                    offsets[n[0]] = end[0];
                    lengths[n[0]++] = len;
                    end[0] += len;
                }
            });
            ByteBuffer buf = ByteBuffer.wrap(Arrays.copyOf(bytes, end[0])).order(ByteOrder.nativeOrder());
            return new CapturedEvents(buf, Arrays.copyOf(offsets, n[0]), Arrays.copyOf(lengths, n[0]));
        }
    }

    /** The hot path measured, and how it counts what it drops. */
    record Processor(RecordHandler handler, LongSupplier dropped) {}

    /**
     * The collector's hot path as its processing thread runs it: decode, enrich against a cluster
     * of 2750 pods (the captured IPv4 addresses all belong to pods; IPv6 ones are world), append
     * to a buffer of the default capacity. Drops are decode errors (the buffer overwrites).
     */
    static Processor pipelineUnderTest() {
        ClusterState cluster = cluster();
        DecodeErrors errors = new DecodeErrors();
        FlowProcessor processor = new FlowProcessor(new Decoder("node-0", () -> 0L), new Enricher(cluster, "node-0"),
                new FlowBuffer(FlowBuffer.DEFAULT_CAPACITY), errors, () -> 0L, () -> 0L, System::nanoTime);
        return new Processor(processor, errors::total);
    }

    /** 2750 pods on 11 nodes; every IPv4 address of {@link BenchFrames#mixed} belongs to one of them. */
    static ClusterState cluster() {
        List<Node> nodes = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        for (int n = 0; n <= 10; n++) {
            nodes.add(new Node("node-" + n, "172.20.0." + (n + 2), "10.244." + n + ".0/24"));
            for (int h = 1; h <= 250; h++) {
                String app = "app-" + (h % 25);
                pods.add(new Pod("ns-" + (h % 5), app + "-" + n + "-" + h, Map.of("app", app, "tier", "t" + (h % 3)),
                        Map.of(), "node-" + n, "10.244." + n + "." + h,
                        List.of(new Pod.Workload("Deployment", app))));
            }
        }
        return new ClusterState(nodes, List.of(), pods, List.of());
    }

    /** Median of {@code passes} timed passes over all captured events, after {@code warmups} untimed ones. */
    static StageResult run(CapturedEvents events, Processor processor, int warmups, int passes) {
        for (int i = 0; i < warmups; i++) {
            pass(events, processor.handler());
        }
        long droppedBefore = processor.dropped().getAsLong();
        List<StageResult> samples = new ArrayList<>();
        for (int i = 0; i < passes; i++) {
            long nanos = pass(events, processor.handler());
            samples.add(new StageResult("pipeline", events.count(), nanos, 0, ""));
        }
        StageResult m = DrainBench.median(samples);
        return new StageResult(m.stage(), m.events(), m.nanos(), processor.dropped().getAsLong() - droppedBefore, m.note());
    }

    private static long pass(CapturedEvents events, RecordHandler handler) {
        ByteBuffer buf = events.buf();
        int[] offsets = events.offsets(), lengths = events.lengths();
        long start = System.nanoTime();
        for (int i = 0; i < offsets.length; i++) {
            handler.onRecord(buf, offsets[i], lengths[i]);
        }
        return System.nanoTime() - start;
    }
}
