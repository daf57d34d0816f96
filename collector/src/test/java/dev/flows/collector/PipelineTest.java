package dev.flows.collector;

import static org.junit.jupiter.api.Assertions.*;

import dev.flows.collector.bpf.FakeEventSource;
import dev.flows.collector.config.CollectorConfig;
import dev.flows.collector.decode.DecodeError;
import dev.flows.collector.decode.EventLayout;
import dev.flows.collector.decode.TraceEvents;
import dev.flows.collector.enrich.TestClusters;
import dev.flows.observer.events.ObservationPoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowFilter;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Synthesized kernel events through the real {@link Collector} wiring, on a fake event source:
 * fake ring → raw queue → decoder → enricher → buffer → GetFlows, asserting what a client of the
 * API sees. The test steps the collector's own reader and processing steps instead of starting
 * their threads, so that a burst larger than the raw queue overflows it deterministically.
 */
class PipelineTest {
    static final long BOOT_TO_WALL = 1_763_000_000_000_000_000L;

    @Test
    void clientSeesEnrichedFlowsAndEveryLoss() throws Exception {
        FakeEventSource ring = new FakeEventSource();
        CollectorConfig config = new CollectorConfig();
        new CommandLine(config).parseArgs("--node-name", "node-1", "--listen", "192.168.10.11:4244", "--metrics-listen", "off", "--disable-server-tls",
                "--mode", "observe", "--queue-capacity", "16", "--buffer-capacity", "1023");
        config.validate();
        String name = InProcessServerBuilder.generateName();
        // every step a second later: each processing step reports the losses it has seen
        AtomicLong mono = new AtomicLong();
        Collector collector = new Collector(config, TestClusters.shop(), new Collector.Seams(null, ring,
                () -> BOOT_TO_WALL + 99, () -> 99, () -> mono.addAndGet(1_000_000_000L), InProcessServerBuilder.forName(name)));

        // frontend (node-1) opens a connection to backend via its ClusterIP, gets a SYN-ACK back.
        ring.add(TraceEvents.tcp("10.244.1.5", 40000, "10.96.0.20", 80, 0x02).ts(1_000).bytes());
        ring.add(TraceEvents.tcp("10.244.2.7", 8080, "10.244.1.5", 40000, 0x12).ts(2_000)
                .point(ObservationPoint.TO_ENDPOINT).direction(2).bytes());
        ring.add(TraceEvents.icmp("10.244.1.5", "203.0.113.7", 8, 0).ts(3_000).bytes());
        byte[] future = TraceEvents.udp("10.244.1.5", 1, "10.244.2.7", 2).raw(EventLayout.HDR_VERSION, 9).bytes();
        ring.add(future);
        ring.loseInKernel(3);

        pump(collector);
        assertEquals(0, ring.pending());
        assertEquals(1, collector.decodeErrors().get(DecodeError.UNSUPPORTED_VERSION));

        // A burst larger than the raw queue while the processing thread is busy elsewhere.
        for (int i = 0; i < 20; i++) {
            ring.add(TraceEvents.udp("10.244.1.5", 10_000 + i, "10.244.2.7", 53).ts(10_000 + i).bytes());
        }
        collector.readOnce();
        assertEquals(4, collector.losses().rawQueue());
        pump(collector);

        collector.serve();
        ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
        try {
            var observer = ObserverGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
            List<GetFlowsResponse> all = new ArrayList<>();
            observer.getFlows(GetFlowsRequest.newBuilder().build()).forEachRemaining(all::add);
            List<Flow> flows = all.stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow).toList();
            assertEquals(3 + 16, flows.size(), "3 first flows + the 16 the queue had room for");

            Flow syn = flows.get(0);
            assertEquals("TCP Flags: SYN", syn.getSummary());
            assertEquals(Verdict.FORWARDED, syn.getVerdict());
            assertEquals("frontend-7d4b9c-abcde", syn.getSource().getPodName());
            assertEquals("shop", syn.getSource().getNamespace());
            assertEquals("backend", syn.getDestinationService().getName());
            assertEquals(TrafficDirection.EGRESS, syn.getTrafficDirection());
            assertFalse(syn.getIsReply().getValue());
            assertEquals((BOOT_TO_WALL + 1_000) / 1_000_000_000L, syn.getTime().getSeconds());
            assertEquals("node-1", syn.getNodeName());

            Flow synAck = flows.get(1);
            assertTrue(synAck.getIsReply().getValue());
            assertEquals("backend-0", synAck.getSource().getPodName());
            assertEquals("frontend-7d4b9c-abcde", synAck.getDestination().getPodName());
            assertEquals(TrafficDirection.EGRESS, synAck.getTrafficDirection(), "reply of frontend's egress connection");

            Flow ping = flows.get(2);
            assertEquals("ICMPv4 EchoRequest", ping.getSummary());
            assertEquals(List.of("reserved:world"), ping.getDestination().getLabelsList());
            assertEquals(2, ping.getDestination().getIdentity());

            List<GetFlowsResponse> lost = all.stream().filter(GetFlowsResponse::hasLostEvents).toList();
            assertEquals(2, lost.size());
            assertEquals(LostEventSource.PERF_EVENT_RING_BUFFER, lost.get(0).getLostEvents().getSource());
            assertEquals(3, lost.get(0).getLostEvents().getNumEventsLost());
            assertEquals(LostEventSource.OBSERVER_EVENTS_QUEUE, lost.get(1).getLostEvents().getSource());
            assertEquals(4, lost.get(1).getLostEvents().getNumEventsLost());
            assertEquals(3, collector.losses().kernelRing());
            assertEquals(4, collector.losses().rawQueue());
            assertEquals(1, collector.losses().decodeErrors());
            var status = observer.serverStatus(dev.flows.proto.observer.ServerStatusRequest.getDefaultInstance()).getFlowsLost();
            assertEquals(3, status.getKernelRing());
            assertEquals(4, status.getEventQueue());
            assertEquals(1, status.getDecodeErrors(), "the event of a future layout version");

            List<GetFlowsResponse> dns = new ArrayList<>();
            observer.getFlows(GetFlowsRequest.newBuilder().setNumber(2)
                    .addWhitelist(FlowFilter.newBuilder().addSourcePod("shop/frontend").addDestinationPort("53"))
                    .build()).forEachRemaining(dns::add);
            // Loss notices are not flows: filters and number do not hide them from the client.
            assertEquals(List.of("flow 10014", "flow 10015", "lost 4 OBSERVER_EVENTS_QUEUE"), dns.stream()
                    .map(r -> r.hasFlow() ? "flow " + r.getFlow().getL4().getUDP().getSourcePort()
                            : "lost " + r.getLostEvents().getNumEventsLost() + " " + r.getLostEvents().getSource())
                    .toList());
        } finally {
            ch.shutdownNow();
            collector.close();
        }
    }

    /** The collector's reader and processing steps, as their threads run them, until nothing is left. */
    private static void pump(Collector c) {
        do {
            c.readOnce();
        } while (c.processOnce() > 0);
    }
}
