package dev.flows.bench;

import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.RecordHandler;
import dev.flows.collector.bpf.RingBufferReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Stage 5: decode + enrich + buffer on one core, fed with real kernel records captured from the
 * ring beforehand, so that the figure is the pipeline's alone (no kernel, no ring).
 *
 * <p>Until the pipeline (branch {@code pipeline}) is merged, {@link #pipelineUnderTest} only
 * copies each record into a {@link SlotQueue}: the floor any buffering pipeline pays.
 */
final class PipelineBench {
    private PipelineBench() {}

    /** What the report prints while the stage measures the stand-in. */
    static final String PENDING = "pending pipeline merge";

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
    record Processor(RecordHandler handler, LongSupplier dropped, boolean pending) {}

    // ==== Wire the real pipeline here after merging branch `pipeline` ==================================
    // Return a Processor whose handler runs decode -> enrich -> buffer for one raw record (e.g. the
    // pipeline's FlowProcessor behind a RecordHandler lambda), whose dropped() sums the records it
    // dropped at any of those stages (decode errors, full buffer), and pending = false.
    // =====================================================================================================
    static Processor pipelineUnderTest() {
        SlotQueue queue = new SlotQueue(8192, 256);
        RecordHandler consumed = (b, o, l) -> { };
        RecordHandler copy = (buf, off, len) -> {
            if (queue.size() == queue.capacity()) {
                queue.drain(consumed); // stands in for a consumer thread that keeps up
            }
            queue.offer(buf, off, len);
        };
        return new Processor(copy, queue::dropped, true);
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
        String what = processor.pending() ? PENDING + "; measured: raw copy into a byte[] slot queue only" : "";
        return new StageResult(m.stage(), m.events(), m.nanos(), processor.dropped().getAsLong() - droppedBefore,
                what + (what.isEmpty() ? "" : "; ") + m.note());
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
