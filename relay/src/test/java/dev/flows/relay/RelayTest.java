package dev.flows.relay;

import dev.flows.observer.wire.GetFlowsStreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.wire.FlowBatchMethod;
import dev.flows.observer.wire.ObserverServer;
import dev.flows.collector.api.ObserverService;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.GetNodesRequest;
import dev.flows.proto.observer.GetNodesResponse;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.observer.ServerStatusResponse;
import dev.flows.proto.relay.NodeState;
import dev.flows.relay.api.RelayClock;
import dev.flows.relay.api.RelayLosses;
import dev.flows.relay.api.RelayObserverService;
import dev.flows.relay.peers.PeerPool;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay over real loopback sockets, in front of collectors serving the real Observer API. */
class RelayTest {
    static final long S = 1_000_000_000L;
    static final long BASE = 1_000_000L * S;
    static final Duration WINDOW = Duration.ofMillis(300);
    static final Duration QUIET_GRACE = Duration.ofMillis(100);

    final List<AutoCloseable> closing = new ArrayList<>();
    final RelayLosses losses = new RelayLosses();
    /** The relay's wall time while >= 0, else the machine's: so a test knows the instant a follow splits history from live. */
    final java.util.concurrent.atomic.AtomicLong relayWall = new java.util.concurrent.atomic.AtomicLong(-1);
    PeerPool pool;
    ObserverGrpc.ObserverBlockingStub relay;
    ManagedChannel client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.shutdownNow();
        }
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    FakeCollector collector(String node) throws Exception {
        return collector(node, 0);
    }

    FakeCollector collector(String node, int port) throws Exception {
        FakeCollector c = new FakeCollector(node, port, 65535);
        closing.add(c);
        return c;
    }

    /** A relay for the given targets (address → name), waiting until the reachable ones are connected. */
    void relay(Map<String, String> targets, int clientQueue, int expectConnected) throws Exception {
        relay(targets, clientQueue, expectConnected, Duration.ofMillis(100));
    }

    void relay(Map<String, String> targets, int clientQueue, int expectConnected, Duration healthInterval) throws Exception {
        pool = new PeerPool((address, node) -> Relay.channel(address), healthInterval, Duration.ofMillis(200), Duration.ofSeconds(1));
        closing.add(pool);
        RelayObserverService svc = new RelayObserverService(pool, GetFlowsStreams.executor(8),
                new RelayClock(() -> relayWall.get() >= 0 ? relayWall.get() : RelayTestClock.wallNanos(), System::nanoTime),
                WINDOW, QUIET_GRACE, clientQueue, losses, "test");
        ObserverServer server = ObserverServer.create(new InetSocketAddress("127.0.0.1", 0), svc, svc.batches()).start();
        closing.add(server);
        pool.setTargets("test", targets);
        waitFor(() -> pool.peers().stream().filter(p -> p.connected()).count() == expectConnected, "peers connected");
        client = Relay.channel("127.0.0.1:" + server.port());
        relay = ObserverGrpc.newBlockingStub(client);
    }

    void relay(FakeCollector... cs) throws Exception {
        relay(Duration.ofMillis(100), cs);
    }

    void relay(Duration healthInterval, FakeCollector... cs) throws Exception {
        Map<String, String> t = new LinkedHashMap<>();
        for (FakeCollector c : cs) {
            t.put(c.address(), "");
        }
        relay(t, 1000, cs.length, healthInterval);
    }

    List<GetFlowsResponse> get(GetFlowsRequest req) {
        List<GetFlowsResponse> out = new ArrayList<>();
        relay.withDeadlineAfter(10, TimeUnit.SECONDS).getFlows(req).forEachRemaining(out::add);
        return out;
    }

    /** The same request as the flows CLI makes it: relay.FlowBatches, many responses per message. */
    List<GetFlowsResponse> getBatched(GetFlowsRequest req) {
        List<GetFlowsResponse> out = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(client, FlowBatchMethod.CLIENT,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), req).forEachRemaining(out::addAll);
        return out;
    }

    static List<Long> flowTimes(List<GetFlowsResponse> rs) {
        return rs.stream().filter(GetFlowsResponse::hasFlow).map(r -> Timestamps.toNanos(r.getFlow().getTime())).toList();
    }

    @Test
    void mergesEveryNodeInTimeOrderAfterNodeStatus() throws Exception {
        FakeCollector a = collector("node-a");
        FakeCollector b = collector("node-b");
        for (int i = 0; i < 50; i++) {
            a.add(BASE + (2 * i) * S);
            b.add(BASE + (2 * i + 1) * S);
        }
        relay(a, b);
        List<GetFlowsResponse> rs = get(GetFlowsRequest.newBuilder().setNumber(-1).build());
        assertTrue(rs.get(0).hasNodeStatus(), "node status comes first: " + rs.get(0));
        assertEquals(NodeState.NODE_CONNECTED, rs.get(0).getNodeStatus().getStateChange());
        assertEquals(List.of("node-a", "node-b"), rs.get(0).getNodeStatus().getNodeNamesList().stream().sorted().toList());
        List<Long> times = flowTimes(rs);
        assertEquals(100, times.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(BASE + i * S, times.get(i), "flow " + i + " in time order across nodes");
        }
    }

    @Test
    void aHistoryIsInExactTimeOrderEvenWhenANodeAnswersLaterThanTheWindow() throws Exception {
        FakeCollector a = collector("node-a");
        FakeCollector b = new FakeCollector("node-b", 0, 65535, WINDOW.multipliedBy(3));
        closing.add(b);
        for (int i = 0; i < 50; i++) {
            a.add(BASE + (2 * i) * S);
            b.add(BASE + (2 * i + 1) * S);
        }
        relay(a, b);
        List<Long> times = flowTimes(get(GetFlowsRequest.newBuilder().setNumber(-1).build()));
        assertEquals(100, times.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(BASE + i * S, times.get(i), "flow " + i + " in time order although node-b was slow: " + times);
        }
    }

    @Test
    void numberAppliesToTheWholeCluster() throws Exception {
        FakeCollector a = collector("node-a");
        FakeCollector b = collector("node-b");
        for (int i = 0; i < 30; i++) {
            a.add(BASE + (2 * i) * S);
            b.add(BASE + (2 * i + 1) * S);
        }
        relay(a, b);
        List<Long> last = flowTimes(get(GetFlowsRequest.newBuilder().setNumber(10).build()));
        assertEquals(10, last.size(), "--last 10 returns exactly 10 across the cluster");
        for (int i = 0; i < 10; i++) {
            assertEquals(BASE + (50 + i) * S, last.get(i), "the newest 10, oldest first");
        }
        List<Long> first = flowTimes(get(GetFlowsRequest.newBuilder().setNumber(5).setFirst(true).build()));
        assertEquals(List.of(BASE, BASE + S, BASE + 2 * S, BASE + 3 * S, BASE + 4 * S), first);
        List<Long> since = flowTimes(get(GetFlowsRequest.newBuilder().setSince(Timestamps.fromNanos(BASE + 55 * S)).build()));
        assertEquals(5, since.size(), "since applies on every node: " + since);
    }

    @Test
    void batchesCarryWhatGetFlowsSendsInTheSameOrder() throws Exception {
        FakeCollector a = collector("node-a");
        FakeCollector b = collector("node-b");
        for (int i = 0; i < 3000; i++) { // several 64 KiB batches
            a.add(BASE + (2 * i) * S);
            b.add(BASE + (2 * i + 1) * S);
        }
        relay(a, b);
        for (GetFlowsRequest req : List.of(GetFlowsRequest.getDefaultInstance(), GetFlowsRequest.newBuilder().setNumber(10).build(),
                GetFlowsRequest.newBuilder().setNumber(7).setFirst(true).build())) {
            List<GetFlowsResponse> single = get(req), batched = getBatched(req);
            assertEquals(single.size(), batched.size(), "as many responses: " + req);
            assertTrue(batched.get(0).hasNodeStatus(), "node status first");
            // the relay's own node-status notice is stamped when it is made; everything else is the same bytes
            assertEquals(single.subList(1, single.size()), batched.subList(1, batched.size()), req.toString());
        }
        assertEquals(6000, flowTimes(getBatched(GetFlowsRequest.getDefaultInstance())).size());
    }

    @Test
    void aBatchedFollowDeliversANewFlowWithoutWaitingForTheBatchToFill() throws Exception {
        FakeCollector a = collector("node-a");
        FakeCollector b = collector("node-b");
        relay(a, b);
        BlockingQueue<GetFlowsResponse> got = new LinkedBlockingQueue<>();
        io.grpc.ClientCall<GetFlowsRequest, List<GetFlowsResponse>> call = client.newCall(FlowBatchMethod.CLIENT, CallOptions.DEFAULT);
        ClientCalls.asyncServerStreamingCall(call, GetFlowsRequest.newBuilder().setFollow(true).build(),
                new io.grpc.stub.StreamObserver<List<GetFlowsResponse>>() {
                    @Override
                    public void onNext(List<GetFlowsResponse> rs) {
                        got.addAll(rs);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
        try {
            GetFlowsResponse status = got.poll(5, TimeUnit.SECONDS);
            assertTrue(status != null && status.hasNodeStatus(), "node status first: " + status);
            Thread.sleep(300); // the relay opens its live streams
            long t = RelayTestClock.wallNanos();
            a.add(t);
            b.add(t + 1);
            GetFlowsResponse first = got.poll(WINDOW.toMillis() + 3000, TimeUnit.MILLISECONDS);
            assertTrue(first != null && first.hasFlow(), "a live flow arrives: " + first);
            assertEquals(t, Timestamps.toNanos(first.getFlow().getTime()));
        } finally {
            call.cancel("test done", null);
        }
    }

    @Test
    void aFollowSeesTheFlowsAfterItsNodeStatusEvenFromACollectorSlowToOpenItsStream() throws Exception {
        FakeCollector a = collector("node-a");
        // node-b starts answering each GetFlows 500 ms late, as a busy node or a new TLS session would
        FakeCollector b = new FakeCollector("node-b", 0, 65535, Duration.ofMillis(500));
        closing.add(b);
        relay(a, b);
        BlockingQueue<GetFlowsResponse> got = follow(relay, GetFlowsRequest.newBuilder().setFollow(true).build());
        List<GetFlowsResponse> seen = new ArrayList<>();
        collect(got, seen, rs -> rs.stream().anyMatch(r -> r.hasNodeStatus() && r.getNodeStatus().getNodeNamesCount() == 2), "both nodes connected");
        // what a user does on seeing NODE_CONNECTED: make traffic, at once
        long t = RelayTestClock.wallNanos();
        b.add(t);
        a.add(t + 1);
        collect(got, seen, rs -> flowTimes(rs).size() >= 2, "both flows, node-b's too although its stream opened after it");
        // each once; node-b's came later than the sort window, so the order between the two is not promised
        assertEquals(List.of(t, t + 1), flowTimes(seen).stream().sorted().toList());
    }

    @Test
    void anUnreachableCollectorIsAnnouncedAndTheOthersServed() throws Exception {
        FakeCollector a = collector("node-a");
        a.add(BASE);
        Map<String, String> t = new LinkedHashMap<>();
        t.put(a.address(), "");
        t.put("127.0.0.1:" + freePort(), "node-z");
        relay(t, 1000, 1);
        List<GetFlowsResponse> rs = get(GetFlowsRequest.newBuilder().setNumber(5).build());
        assertEquals(NodeState.NODE_CONNECTED, rs.get(0).getNodeStatus().getStateChange());
        assertEquals(List.of("node-a"), rs.get(0).getNodeStatus().getNodeNamesList());
        assertEquals(NodeState.NODE_UNAVAILABLE, rs.get(1).getNodeStatus().getStateChange());
        assertEquals(List.of("node-z"), rs.get(1).getNodeStatus().getNodeNamesList());
        assertEquals(List.of(BASE), flowTimes(rs));

        ServerStatusResponse st = relay.serverStatus(ServerStatusRequest.getDefaultInstance());
        assertEquals(1, st.getNumConnectedNodes().getValue());
        assertEquals(1, st.getNumUnavailableNodes().getValue());
        assertEquals(List.of("node-z"), st.getUnavailableNodesList());
        assertEquals(1, st.getNumFlows());
        assertEquals(65535, st.getMaxFlows());
        GetNodesResponse nodes = relay.getNodes(GetNodesRequest.getDefaultInstance());
        assertEquals(2, nodes.getNodesCount());
        assertEquals(NodeState.NODE_CONNECTED, nodes.getNodes(0).getState());
        assertEquals("node-a", nodes.getNodes(0).getName());
        assertEquals(NodeState.NODE_UNAVAILABLE, nodes.getNodes(1).getState());
    }

    @Test
    void followKeepsHistoryAndLiveApartAndSurvivesACollectorRestart() throws Exception {
        // Health checked every 100 ms: the restart may or may not be seen by the pool; either way node-b is back.
        followThroughARestart(Duration.ofMillis(100));
    }

    @Test
    void followSurvivesACollectorRestartTheHealthCheckNeverSaw() throws Exception {
        // One health check an hour: the pool calls node-b connected throughout, so only the
        // relay's own retry of the failed stream can bring it back.
        followThroughARestart(Duration.ofHours(1));
    }

    void followThroughARestart(Duration healthInterval) throws Exception {
        FakeCollector a = collector("node-a");
        FakeCollector b = collector("node-b");
        relay(healthInterval, a, b);
        long now = RelayTestClock.wallNanos();
        // The relay reads its clock when the stream starts, however late its thread runs: hold it at now.
        relayWall.set(now);
        for (int i = 10; i >= 0; i--) {
            // The last second, alternating nodes; T = now - 300ms falls between i = 3 and i = 2.
            (i % 2 == 0 ? a : b).add(now - i * 100_000_000L - 50_000_000L);
        }
        BlockingQueue<GetFlowsResponse> got = follow(relay, GetFlowsRequest.newBuilder().setFollow(true).setNumber(4).build());
        List<GetFlowsResponse> seen = new ArrayList<>();
        // History (up to now - window) trimmed to 4, then every flow of the window once: 4 + 3.
        collect(got, seen, r -> flowTimes(r).size() >= 7, "history and the window");
        List<Long> times = flowTimes(seen);
        List<Long> expected = new ArrayList<>();
        for (int i = 6; i >= 0; i--) {
            expected.add(now - i * 100_000_000L - 50_000_000L);
        }
        assertEquals(expected, times.subList(0, 7), "4 of history then the flows of the window, no duplicate, no gap");
        relayWall.set(-1);

        long t1 = RelayTestClock.wallNanos();
        a.add(t1);
        b.add(t1 + 1);
        collect(got, seen, r -> flowTimes(r).contains(t1) && flowTimes(r).contains(t1 + 1), "live flows of both nodes");

        int port = b.port();
        b.close();
        collect(got, seen, r -> r.stream().anyMatch(x -> x.hasNodeStatus() && x.getNodeStatus().getNodeNamesList().contains("node-b")
                && (x.getNodeStatus().getStateChange() == NodeState.NODE_ERROR
                        || x.getNodeStatus().getStateChange() == NodeState.NODE_UNAVAILABLE)), "node-b reported down");
        long t2 = RelayTestClock.wallNanos();
        a.add(t2);
        collect(got, seen, r -> flowTimes(r).contains(t2), "node-a goes on while node-b is down");

        FakeCollector b2 = collector("node-b", port);
        long t3 = RelayTestClock.wallNanos();
        b2.add(t3);
        collect(got, seen, r -> r.stream().anyMatch(x -> x.hasNodeStatus() && x.getNodeStatus().getStateChange() == NodeState.NODE_CONNECTED
                && x.getNodeStatus().getNodeNamesList().contains("node-b")) && flowTimes(r).contains(t3), "node-b back in the same stream");
        assertEquals(flowTimes(seen).size(), flowTimes(seen).stream().distinct().count(), "no flow twice");
    }

    @Test
    void aSlowClientIsToldWhatTheRelayDropped() throws Exception {
        FakeCollector a = collector("node-a");
        relay(Map.of(a.address(), ""), 100, 1);
        CountingClient c = new CountingClient();
        ObserverGrpc.newStub(client).getFlows(GetFlowsRequest.newBuilder().setFollow(true).build(), c);
        waitFor(() -> c.nodeStatus.get() == 1, "node status");

        // A follow from now holds the flows appended once the relay's own call to the collector
        // has started; until a marker flow arrives, there is no telling when that is.
        long base = RelayTestClock.wallNanos();
        int markers = 0;
        do {
            a.add(base + markers++);
        } while (!c.awaitFlows(1, Duration.ofSeconds(1)));
        long inStream = markers - (c.firstFlowNanos.get() - base);

        int burst = 60_000;
        int kernelNotices = 0;
        String pad = "x".repeat(200); // big enough to fill the transport's flow-control window
        for (int i = 0; i < burst; i++) {
            a.buffer.append(dev.flows.proto.flow.Flow.newBuilder().setNodeName("node-a")
                    .setTime(Timestamps.fromNanos(base + markers + i)).setIP(dev.flows.proto.flow.IP.newBuilder().setSource(pad)).build());
            if (i % 5000 == 4999) {
                // The collector's own report of events its kernel ring lost: it must reach the client whatever its pace.
                a.buffer.appendLost(dev.flows.proto.flow.LostEvent.newBuilder().setSource(LostEventSource.PERF_EVENT_RING_BUFFER)
                        .setNumEventsLost(7).build(), base + markers + i);
                kernelNotices++;
            }
        }
        long expected = inStream + burst;
        long kernelExpected = 7L * kernelNotices;
        waitFor(() -> losses.clientQueueDrops() > 0, "the relay drops for the stalled client");
        c.readAll();
        // Every flow is accounted for once the collector's stream is drained; the deadline only guards against a hang.
        waitFor(() -> c.flows.get() + c.queueLost.get() >= expected && c.kernelLost.get() >= kernelExpected,
                Duration.ofSeconds(90), () -> "every flow either delivered or reported lost: " + c.flows.get() + " + "
                        + c.queueLost.get() + " of " + expected + ", relay dropped " + losses.clientQueueDrops()
                        + "; kernel losses reported " + c.kernelLost.get() + " of " + kernelExpected);
        assertTrue(c.queueLost.get() > 0);
        assertEquals(expected, c.flows.get() + c.queueLost.get(), "delivered + reported lost = what the relay had");
        assertEquals(losses.clientQueueDrops(), c.queueLost.get(), "the client is told exactly what it lost");
        assertEquals(kernelExpected, c.kernelLost.get(), "the collector's own loss reports all reach the client");
        assertEquals(c.queueLost.get(), relay.serverStatus(ServerStatusRequest.getDefaultInstance()).getFlowsLost().getEventQueue(),
                "and ServerStatus counts it");
    }

    @Test
    void aResponseThatIsNotProtobufIsCountedAndTheStreamGoesOn() throws Exception {
        FakeCollector good = collector("node-a");
        good.add(BASE + 2 * S);
        // A collector whose GetFlows answers a flow, then bytes that are no GetFlowsResponse (a length past the
        // end), more of them than the relay's history credit (1024): each must give its credit back. Then a flow.
        int garbage = 1100;
        List<byte[]> answers = new ArrayList<>();
        answers.add(flowAt(BASE + S).toByteArray());
        for (int i = 0; i < garbage; i++) {
            answers.add(new byte[] {0x0A, 0x7F, 0x01});
        }
        answers.add(flowAt(BASE + 3 * S).toByteArray());
        ObserverServer bad = new ObserverServer(io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0)), RawCollector.serving(answers)).start();
        closing.add(bad);
        relay(Map.of(good.address(), "", "127.0.0.1:" + bad.port(), "node-bad"), 1000, 2);
        List<GetFlowsResponse> rs = get(GetFlowsRequest.getDefaultInstance());
        assertEquals(List.of(BASE + S, BASE + 2 * S, BASE + 3 * S), flowTimes(rs), "every readable flow, in order");
        assertEquals(garbage, losses.decodeErrors());
        assertEquals(garbage, relay.serverStatus(ServerStatusRequest.getDefaultInstance()).getFlowsLost().getDecodeErrors(),
                "ServerStatus counts what the relay could not read");
    }

    @Test
    void aDamagedResponseInsideABatchIsCountedAndTheStreamGoesOn() throws Exception {
        FakeCollector good = collector("node-a");
        good.add(BASE + 2 * S);
        // A collector answering the batched GetFlows: a flow, then batches of bytes that are no
        // GetFlowsResponse, more batches than the relay's history credit (each must give its credit
        // back), then a batch with a flow among damaged responses.
        List<dev.flows.proto.relay.FlowBatch> batches = new ArrayList<>();
        batches.add(batchOf(List.of(flowAt(BASE + S).toByteArray())));
        byte[] damaged = {0x0A, 0x7F, 0x01};
        for (int i = 0; i < 20; i++) {
            batches.add(batchOf(java.util.Collections.nCopies(50, damaged)));
        }
        batches.add(batchOf(List.of(damaged, flowAt(BASE + 3 * S).toByteArray(), damaged)));
        io.grpc.BindableService batched = () -> io.grpc.ServerServiceDefinition.builder(dev.flows.proto.relay.FlowBatchesGrpc.SERVICE_NAME)
                .addMethod(dev.flows.proto.relay.FlowBatchesGrpc.getGetFlowBatchesMethod(),
                        io.grpc.stub.ServerCalls.<GetFlowsRequest, dev.flows.proto.relay.FlowBatch>asyncServerStreamingCall((req, out) -> {
                            batches.forEach(out::onNext);
                            out.onCompleted();
                        }))
                .build();
        ObserverServer bad = new ObserverServer(io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0)), RawCollector.serving(List.of()), batched).start();
        closing.add(bad);
        relay(Map.of(good.address(), "", "127.0.0.1:" + bad.port(), "node-bad"), 1000, 2);
        List<GetFlowsResponse> rs = get(GetFlowsRequest.getDefaultInstance());
        assertEquals(List.of(BASE + S, BASE + 2 * S, BASE + 3 * S), flowTimes(rs), "every readable flow, in order");
        assertEquals(20 * 50 + 2, losses.decodeErrors());
    }

    static dev.flows.proto.relay.FlowBatch batchOf(List<byte[]> responses) {
        dev.flows.proto.relay.FlowBatch.Builder b = dev.flows.proto.relay.FlowBatch.newBuilder();
        responses.forEach(r -> b.addResponses(com.google.protobuf.ByteString.copyFrom(r)));
        return b.build();
    }

    static GetFlowsResponse flowAt(long t) {
        return GetFlowsResponse.newBuilder().setNodeName("node-bad").setTime(Timestamps.fromNanos(t))
                .setFlow(dev.flows.proto.flow.Flow.newBuilder().setTime(Timestamps.fromNanos(t))).build();
    }

    /** An Observer that answers every GetFlows with the given bytes as they are, then ends the stream; GetNodes names it. */
    static final class RawCollector {
        static io.grpc.BindableService serving(List<byte[]> responses) {
            io.grpc.MethodDescriptor.Marshaller<byte[]> raw = new io.grpc.MethodDescriptor.Marshaller<>() {
                @Override
                public java.io.InputStream stream(byte[] b) {
                    return new java.io.ByteArrayInputStream(b);
                }

                @Override
                public byte[] parse(java.io.InputStream in) {
                    throw new UnsupportedOperationException("the fake only sends");
                }
            };
            var method = ObserverGrpc.getGetFlowsMethod().toBuilder(ObserverGrpc.getGetFlowsMethod().getRequestMarshaller(), raw)
                    .build();
            return () -> io.grpc.ServerServiceDefinition.builder(ObserverGrpc.SERVICE_NAME)
                    .addMethod(method, io.grpc.stub.ServerCalls.<GetFlowsRequest, byte[]>asyncServerStreamingCall((req, out) -> {
                        responses.forEach(out::onNext);
                        out.onCompleted();
                    }))
                    .addMethod(ObserverGrpc.getGetNodesMethod(), io.grpc.stub.ServerCalls.<GetNodesRequest, GetNodesResponse>asyncUnaryCall(
                            (req, out) -> {
                                out.onNext(GetNodesResponse.newBuilder().addNodes(
                                        dev.flows.proto.observer.Node.newBuilder().setName("node-bad")).build());
                                out.onCompleted();
                            }))
                    .build();
        }
    }

    /**
     * A client that reads only when told to (first the node status and one flow), and counts
     * what it gets rather than keeping it, so that its own pace is not what the test measures.
     */
    static final class CountingClient implements ClientResponseObserver<GetFlowsRequest, GetFlowsResponse> {
        final java.util.concurrent.atomic.AtomicLong nodeStatus = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong flows = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong firstFlowNanos = new java.util.concurrent.atomic.AtomicLong(-1);
        final java.util.concurrent.atomic.AtomicLong queueLost = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong kernelLost = new java.util.concurrent.atomic.AtomicLong();
        private volatile ClientCallStreamObserver<GetFlowsRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> s) {
            s.disableAutoRequestWithInitial(2);
            call = s;
        }

        @Override
        public void onNext(GetFlowsResponse r) {
            if (r.hasNodeStatus()) {
                nodeStatus.incrementAndGet();
            } else if (r.hasFlow()) {
                firstFlowNanos.compareAndSet(-1, Timestamps.toNanos(r.getFlow().getTime()));
                flows.incrementAndGet();
            } else if (r.hasLostEvents() && r.getLostEvents().getSource() == LostEventSource.OBSERVER_EVENTS_QUEUE) {
                queueLost.addAndGet(r.getLostEvents().getNumEventsLost());
            } else if (r.hasLostEvents() && r.getLostEvents().getSource() == LostEventSource.PERF_EVENT_RING_BUFFER) {
                kernelLost.addAndGet(r.getLostEvents().getNumEventsLost());
            } else {
                fail("unexpected response " + r);
            }
        }

        boolean awaitFlows(long n, Duration d) throws InterruptedException {
            long deadline = System.nanoTime() + d.toNanos();
            while (flows.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return flows.get() >= n;
        }

        void readAll() {
            call.request(Integer.MAX_VALUE);
        }

        @Override
        public void onError(Throwable e) {}

        @Override
        public void onCompleted() {}
    }

    /** Reads {@code req}'s stream on a thread of its own into the queue returned, until the channel closes. */
    static BlockingQueue<GetFlowsResponse> follow(ObserverGrpc.ObserverBlockingStub stub, GetFlowsRequest req) {
        BlockingQueue<GetFlowsResponse> got = new LinkedBlockingQueue<>();
        Iterator<GetFlowsResponse> it = stub.getFlows(req);
        Thread reader = new Thread(() -> {
            try {
                it.forEachRemaining(got::add);
            } catch (RuntimeException e) {
                // the channel is closed at the end of the test
            }
        }, "follow-reader");
        reader.setDaemon(true);
        reader.start();
        return got;
    }

    static void collect(BlockingQueue<GetFlowsResponse> q, List<GetFlowsResponse> seen, Predicate<List<GetFlowsResponse>> done,
            String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!done.test(seen)) {
            GetFlowsResponse r = q.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (r == null) {
                fail("timed out waiting for " + what + "; got " + seen);
            }
            seen.add(r);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        waitFor(c, () -> what);
    }

    static void waitFor(java.util.function.BooleanSupplier c, java.util.function.Supplier<String> what) throws InterruptedException {
        waitFor(c, Duration.ofSeconds(15), what);
    }

    static void waitFor(java.util.function.BooleanSupplier c, Duration limit, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what.get());
            }
            Thread.sleep(20);
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
