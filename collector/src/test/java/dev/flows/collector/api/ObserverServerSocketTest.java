package dev.flows.collector.api;

import dev.flows.observer.wire.GetFlowsStreams;

import dev.flows.observer.wire.ObserverServer;

import static org.junit.jupiter.api.Assertions.*;


import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.cluster.ClusterState;
import dev.flows.collector.pipeline.LossCounters;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowFilter;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.relay.FlowBatch;
import dev.flows.proto.relay.FlowBatchesGrpc;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real server over a real socket on loopback, as the hubble CLI would reach it. */
class ObserverServerSocketTest {
    @Test
    void healthStatusAndFilteredFlowsOverTcp() throws Exception {
        FlowBuffer buffer = new FlowBuffer(255);
        for (int i = 0; i < 5; i++) {
            buffer.append(Flow.newBuilder().setNodeName("node-1").setTime(Timestamp.newBuilder().setSeconds(100 + i))
                    .setIP(IP.newBuilder().setSource("10.244.1." + i).setDestination("10.244.2.7")).build());
        }
        ExecutorService streams = GetFlowsStreams.executor(2);
        ObserverService svc = new ObserverService(buffer, LossCounters.none(),
                new ServerIdentity("node-1", "127.0.0.1:4244", "flows test"), streams,
                () -> System.currentTimeMillis() * 1_000_000L, System::nanoTime);
        try (ObserverServer server = ObserverServer.createNonBlocking(new InetSocketAddress("127.0.0.1", 0), svc, svc.batches(),
                new PeerService(() -> ClusterState.EMPTY, 4244)).start()) {
            assertTrue(server.port() > 0);
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder().setService("hubble.server.Observer").build()).getStatus());
                var observer = ObserverGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS);
                assertEquals(5, observer.serverStatus(ServerStatusRequest.getDefaultInstance()).getSeenFlows());
                List<String> sources = new ArrayList<>();
                observer.getFlows(GetFlowsRequest.newBuilder().setNumber(2)
                                .addBlacklist(FlowFilter.newBuilder().addSourceIp("10.244.1.4")).build())
                        .forEachRemaining(r -> sources.add(r.getFlow().getIP().getSource()));
                assertEquals(List.of("10.244.1.2", "10.244.1.3"), sources);
            } finally {
                ch.shutdownNow();
            }
        } finally {
            streams.shutdownNow();
        }
    }

    /**
     * The relay's batched GetFlows answers exactly what GetFlows answers, in the same order (many
     * per message), and in follow mode delivers a new flow without waiting for a batch to fill.
     */
    @Test
    void batchedGetFlowsAnswersTheSameResponsesAndFollowsWithoutHoldingFlowsBack() throws Exception {
        FlowBuffer buffer = new FlowBuffer(8191);
        for (int i = 0; i < 3000; i++) {
            if (i == 1500) {
                buffer.appendLost(LostEvent.newBuilder().setSource(LostEventSource.PERF_EVENT_RING_BUFFER)
                        .setNumEventsLost(7).build(), 100_000_000_000L + i);
            }
            buffer.append(Flow.newBuilder().setNodeName("node-1").setTime(Timestamp.newBuilder().setSeconds(100 + i))
                    .setIP(IP.newBuilder().setSource("10.244.1." + i % 250).setDestination("10.244.2.7")).build());
        }
        ExecutorService streams = GetFlowsStreams.executor(4);
        ObserverService svc = new ObserverService(buffer, LossCounters.none(),
                new ServerIdentity("node-1", "127.0.0.1:4244", "flows test"), streams,
                () -> System.currentTimeMillis() * 1_000_000L, System::nanoTime);
        ExecutorService follower = Executors.newSingleThreadExecutor();
        try (ObserverServer server = ObserverServer.createNonBlocking(new InetSocketAddress("127.0.0.1", 0), svc, svc.batches()).start()) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                GetFlowsRequest all = GetFlowsRequest.newBuilder()
                        .addBlacklist(FlowFilter.newBuilder().addSourceIp("10.244.1.4")).build();
                List<ByteString> single = new ArrayList<>();
                ObserverGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).getFlows(all)
                        .forEachRemaining(r -> single.add(r.toByteString()));
                List<ByteString> batched = new ArrayList<>();
                int batches = 0;
                for (Iterator<FlowBatch> it = FlowBatchesGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getFlowBatches(all); it.hasNext(); batches++) {
                    batched.addAll(it.next().getResponsesList());
                }
                assertEquals(3000 - 12 + 1, single.size(), "every flow but the filtered, and the loss notice");
                assertEquals(single, batched);
                assertTrue(batches > 1 && batches < 100, "several responses per message: " + batches + " batches");

                Iterator<FlowBatch> follow = FlowBatchesGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getFlowBatches(GetFlowsRequest.newBuilder().setFollow(true).build());
                Future<GetFlowsResponse> first = follower.submit(() -> GetFlowsResponse.parseFrom(follow.next().getResponses(0)));
                Thread.sleep(300); // the stream is open and waiting for new flows
                buffer.append(Flow.newBuilder().setNodeName("node-1").setTime(Timestamp.newBuilder().setSeconds(5000))
                        .setIP(IP.newBuilder().setSource("10.244.9.9").setDestination("10.244.2.7")).build());
                assertEquals("10.244.9.9", first.get(5, TimeUnit.SECONDS).getFlow().getIP().getSource());
            } finally {
                ch.shutdownNow();
            }
        } finally {
            follower.shutdownNow();
            streams.shutdownNow();
        }
    }
}
