package dev.flows.collector.pipeline;

import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.collector.decode.DecodeErrors;
import dev.flows.collector.decode.DecodedEvent;
import dev.flows.collector.decode.Decoder;
import dev.flows.collector.decode.EventLayout;
import dev.flows.observer.events.ObservationPoint;
import dev.flows.collector.decode.TraceEvents;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.enrich.TestClusters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Flows per second through decode + enrich + buffer on one thread. Not a test: run with
 * {@code java -cp ... dev.flows.collector.pipeline.FlowProcessorBench [seconds]}.
 */
public final class FlowProcessorBench {
    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        byte[][] records = {
            TraceEvents.tcp("10.244.1.5", 40000, "10.96.0.20", 80, 0x02).bytes(),
            TraceEvents.tcp("10.244.2.7", 8080, "10.244.1.5", 40000, 0x12).point(ObservationPoint.TO_ENDPOINT).direction(2).bytes(),
            TraceEvents.udp("10.244.1.5", 5353, "10.244.2.7", 53).bytes(),
            TraceEvents.icmp("10.244.1.5", "203.0.113.7", 8, 0).bytes(),
        };
        ByteBuffer ring = ByteBuffer.allocateDirect(records.length * EventLayout.TRACE_SIZE).order(ByteOrder.nativeOrder());
        for (int i = 0; i < records.length; i++) {
            ring.put(i * EventLayout.TRACE_SIZE, records[i]);
        }
        FlowProcessor p = new FlowProcessor(new Decoder("node-1", () -> 0L), new Enricher(TestClusters.shop(), "node-1"),
                new FlowBuffer(FlowBuffer.DEFAULT_CAPACITY), new DecodeErrors(), () -> 0, () -> 0, () -> 0);
        Decoder decodeOnly = new Decoder("node-1", () -> 0L);
        DecodedEvent scratch = new DecodedEvent();
        Enricher enricher = new Enricher(TestClusters.shop(), "node-1");
        for (int round = 0; round < 3; round++) {
            long n = 0;
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                for (int k = 0; k < 1000; k++) {
                    decodeOnly.decode(ring, (int) (n & 3) * EventLayout.TRACE_SIZE, EventLayout.TRACE_SIZE, scratch);
                    if (args.length > 1) {
                        enricher.enrich(scratch);
                    }
                    n++;
                }
            }
            System.out.printf("decode%s only, round %d: %.2f M/s%n", args.length > 1 ? "+enrich" : "", round,
                    n / ((System.nanoTime() - start) / 1e9) / 1e6);
        }
        for (int round = 0; round < 3; round++) {
            long n = 0;
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                for (int k = 0; k < 1000; k++) {
                    p.process(ring, (int) (n & 3) * EventLayout.TRACE_SIZE, EventLayout.TRACE_SIZE);
                    n++;
                }
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("round %d: %.2f M flows/s (decode errors %d)%n", round, n / s / 1e6, p.errors().total());
        }
    }
}
