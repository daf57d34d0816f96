package dev.flows.collector.api;

import dev.flows.observer.wire.ObserverServer;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Timestamp;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.collector.pipeline.LossCounters;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowFilter;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.GetNodesRequest;
import dev.flows.proto.observer.GetNodesResponse;
import dev.flows.proto.observer.LossCounts;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.observer.ServerStatusResponse;
import dev.flows.proto.peer.ChangeNotification;
import dev.flows.proto.peer.ChangeNotificationType;
import dev.flows.proto.peer.NotifyRequest;
import dev.flows.proto.peer.PeerGrpc;
import dev.flows.proto.relay.NodeState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObserverServiceTest {
    static final String NODE = "node-1";
    static final long WALL = 1_000_000L * 1_000_000_000L;

    FlowBuffer buffer;
    LossCounters losses;
    AtomicLong mono = new AtomicLong(5_000);
    ExecutorService streams;
    ObserverServer server;
    ManagedChannel channel;
    ObserverGrpc.ObserverBlockingStub observer;

    static Flow flow(int second, String src) {
        return Flow.newBuilder().setNodeName(NODE).setTime(Timestamp.newBuilder().setSeconds(second))
                .setIP(IP.newBuilder().setSource(src).setDestination("10.244.2.7")).build();
    }

    static Timestamp ts(int second) {
        return Timestamp.newBuilder().setSeconds(second).build();
    }

    @BeforeEach
    void start() throws Exception {
        start(1023);
    }

    void start(int capacity) throws Exception {
        if (server != null) {
            stop();
        }
        buffer = new FlowBuffer(capacity);
        losses = LossCounters.none();
        streams = new ThreadPoolExecutor(0, 4, 10, TimeUnit.SECONDS, new SynchronousQueue<>());
        ObserverService svc = new ObserverService(buffer, losses, new ServerIdentity(NODE, "192.168.10.11:4244", "flows 0.1.0"),
                streams, () -> WALL, mono::get);
        ClusterState state = new ClusterState(List.of(new Node("node-1", "192.168.10.11", "10.244.1.0/24"),
                new Node("node-2", "192.168.10.12", "10.244.2.0/24")), List.of(), List.of(), List.of());
        String name = InProcessServerBuilder.generateName();
        server = new ObserverServer(InProcessServerBuilder.forName(name), svc, svc.batches(), new PeerService(() -> state, 4244)).start();
        channel = InProcessChannelBuilder.forName(name).build();
        observer = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.close();
        streams.shutdownNow();
    }

    /** Ten flows at seconds 100..109, sources 10.244.1.0..9. */
    void fillTen() {
        for (int i = 0; i < 10; i++) {
            buffer.append(flow(100 + i, "10.244.1." + i));
        }
    }

    List<Long> seconds(GetFlowsRequest req) {
        List<Long> out = new ArrayList<>();
        observer.getFlows(req).forEachRemaining(r -> out.add(r.getFlow().getTime().getSeconds()));
        return out;
    }

    @Test
    void lastNIsNewestNOldestFirst() {
        fillTen();
        assertEquals(List.of(107L, 108L, 109L), seconds(GetFlowsRequest.newBuilder().setNumber(3).build()));
    }

    @Test
    void firstNIsOldestN() {
        fillTen();
        assertEquals(List.of(100L, 101L, 102L), seconds(GetFlowsRequest.newBuilder().setNumber(3).setFirst(true).build()));
    }

    @Test
    void numberZeroAndAllMeanNoLimit() {
        fillTen();
        assertEquals(10, seconds(GetFlowsRequest.newBuilder().build()).size());
        assertEquals(10, seconds(GetFlowsRequest.newBuilder().setNumber(-1L).build()).size(), "--all sends 2^64-1");
    }

    @Test
    void sinceUntilThenNumber() {
        fillTen();
        GetFlowsRequest window = GetFlowsRequest.newBuilder().setSince(ts(103)).setUntil(ts(106)).build();
        assertEquals(List.of(103L, 104L, 105L, 106L), seconds(window));
        assertEquals(List.of(105L, 106L), seconds(window.toBuilder().setNumber(2).build()));
        assertEquals(List.of(103L, 104L), seconds(window.toBuilder().setNumber(2).setFirst(true).build()));
    }

    @Test
    void whitelistBlacklistAndNumberAfterFiltering() {
        fillTen();
        GetFlowsRequest req = GetFlowsRequest.newBuilder().setNumber(2)
                .addWhitelist(FlowFilter.newBuilder().addSourceIp("10.244.1.0/29"))    // .0 - .7
                .addBlacklist(FlowFilter.newBuilder().addSourceIp("10.244.1.7"))
                .build();
        assertEquals(List.of(105L, 106L), seconds(req));
    }

    @Test
    void everyResponseCarriesNodeNameAndTime() {
        fillTen();
        Iterator<GetFlowsResponse> it = observer.getFlows(GetFlowsRequest.newBuilder().setNumber(1).build());
        GetFlowsResponse r = it.next();
        assertEquals(NODE, r.getNodeName());
        assertEquals(109, r.getTime().getSeconds());
        assertEquals("10.244.1.9", r.getFlow().getIP().getSource());
    }

    @Test
    void badFilterIsInvalidArgumentWithOneLineMessage() {
        GetFlowsRequest req = GetFlowsRequest.newBuilder()
                .addWhitelist(FlowFilter.newBuilder().addDestinationPort("abc")).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> observer.getFlows(req).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("invalid destination_port filter \"abc\": use a port number from 0 to 65535", e.getStatus().getDescription());
    }

    @Test
    void firstWithFollowIsRejected() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> observer.getFlows(GetFlowsRequest.newBuilder().setFirst(true).setFollow(true).build()).hasNext());
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void lostNoticesInTheBufferBecomeLostEvents() {
        buffer.append(flow(100, "10.244.1.1"));
        buffer.appendLost(LostEvent.newBuilder().setSource(LostEventSource.PERF_EVENT_RING_BUFFER).setNumEventsLost(17).build(),
                100_500_000_000L);
        buffer.append(flow(101, "10.244.1.2"));
        List<GetFlowsResponse> all = new ArrayList<>();
        observer.getFlows(GetFlowsRequest.newBuilder().build()).forEachRemaining(all::add);
        assertEquals(3, all.size());
        assertTrue(all.get(1).hasLostEvents());
        assertEquals(LostEventSource.PERF_EVENT_RING_BUFFER, all.get(1).getLostEvents().getSource());
        assertEquals(17, all.get(1).getLostEvents().getNumEventsLost());
        assertEquals(NODE, all.get(1).getNodeName());
        assertEquals(100, all.get(1).getTime().getSeconds());
    }

    /** Collects a streaming call's responses; lets the test control how many it requests. */
    static final class Collector implements ClientResponseObserver<GetFlowsRequest, GetFlowsResponse> {
        final BlockingQueue<GetFlowsResponse> got = new LinkedBlockingQueue<>();
        final int initialRequest;
        volatile ClientCallStreamObserver<GetFlowsRequest> call;
        volatile Throwable error;
        volatile boolean completed;

        Collector(int initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> requestStream) {
            call = requestStream;
            if (initialRequest >= 0) {
                requestStream.disableAutoRequestWithInitial(initialRequest);
            }
        }

        @Override
        public void onNext(GetFlowsResponse value) {
            got.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            completed = true;
        }

        GetFlowsResponse take() throws InterruptedException {
            GetFlowsResponse r = got.poll(5, TimeUnit.SECONDS);
            assertNotNull(r, "no response within 5 s (error: " + error + ")");
            return r;
        }
    }

    @Test
    void followSendsHistoryThenNewFlowsPromptlyAndStopsOnCancel() throws Exception {
        fillTen();
        Collector c = new Collector(-1);
        ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setNumber(2).setFollow(true).build(), c);
        assertEquals(108, c.take().getFlow().getTime().getSeconds());
        assertEquals(109, c.take().getFlow().getTime().getSeconds());
        long start = System.nanoTime();
        buffer.append(flow(110, "10.244.1.10"));
        GetFlowsResponse r = c.take();
        assertEquals(110, r.getFlow().getTime().getSeconds());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "follow must deliver well within 1 s");
        assertFalse(c.completed, "follow keeps the stream open");
        c.call.cancel("done", null);
        // The server's stream thread notices and ends: the executor drains back to idle.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (((ThreadPoolExecutor) streams).getActiveCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, ((ThreadPoolExecutor) streams).getActiveCount(), "stream thread still running after cancel");
    }

    @Test
    void followWithoutNumberStreamsOnlyNewFlowsAndAppliesFilters() throws Exception {
        fillTen();
        Collector c = new Collector(-1);
        ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setFollow(true)
                .addWhitelist(FlowFilter.newBuilder().addSourceIp("10.244.1.12")).build(), c);
        // The call starts at some point after this: keep appending until the follower shows up.
        GetFlowsResponse r = null;
        for (int i = 0; i < 100 && r == null; i++) {
            buffer.append(flow(200 + 2 * i, "10.244.1.11"));
            buffer.append(flow(201 + 2 * i, "10.244.1.12"));
            r = c.got.poll(50, TimeUnit.MILLISECONDS);
        }
        assertNotNull(r);
        assertEquals("10.244.1.12", r.getFlow().getIP().getSource(), "filters apply to followed flows");
        assertTrue(r.getFlow().getTime().getSeconds() >= 200, "history (seconds 100..109) is not replayed");
        c.call.cancel("done", null);
    }

    @Test
    void followWithSinceSendsHistoryFromSinceThenNewFlows() throws Exception {
        fillTen();
        Collector c = new Collector(-1);
        ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setFollow(true).setSince(ts(108)).build(), c);
        assertEquals(108, c.take().getFlow().getTime().getSeconds());
        assertEquals(109, c.take().getFlow().getTime().getSeconds());
        buffer.append(flow(110, "10.244.1.10"));
        assertEquals(110, c.take().getFlow().getTime().getSeconds());
        c.call.cancel("done", null);
    }

    @Test
    void followEndsAtUntil() throws Exception {
        Collector c = new Collector(-1);
        ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setFollow(true).setSince(ts(100))
                .setUntil(ts(2_000_000_000)).build(), c);
        buffer.append(flow(200, "10.244.1.1"));
        assertEquals(200, c.take().getFlow().getTime().getSeconds());
        buffer.append(flow(2_000_000_001, "10.244.1.2"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.completed && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(c.completed, "a flow past until ends the follow");
        assertTrue(c.got.isEmpty());
    }

    @Test
    void slowFollowerIsToldHowManyFlowsItLost() throws Exception {
        start(7);
        Collector c = new Collector(1);
        buffer.append(flow(0, "10.244.1.1"));
        ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setFollow(true).setSince(ts(0)).build(), c);
        assertEquals(0, c.take().getFlow().getTime().getSeconds());
        for (int i = 1; i <= 50; i++) {
            buffer.append(flow(i, "10.244.1.1"));
        }
        c.call.request(1000);
        long flows = 1;
        long lost = 0;
        long last = 0;
        while (last < 50) {
            GetFlowsResponse r = c.take();
            if (r.hasLostEvents()) {
                assertEquals(LostEventSource.HUBBLE_RING_BUFFER, r.getLostEvents().getSource());
                assertEquals(NODE, r.getNodeName());
                lost += r.getLostEvents().getNumEventsLost();
            } else {
                flows++;
                last = r.getFlow().getTime().getSeconds();
            }
        }
        assertTrue(lost > 0, "the follower was lapped and must be told");
        assertEquals(51, flows + lost, "every flow is either delivered or counted as lost");
        assertEquals(lost, losses.readerOverrun());
        c.call.cancel("done", null);
    }

    @Test
    void serverStatus() {
        fillTen();
        mono.addAndGet(3_000_000_000L);
        ServerStatusResponse s = observer.serverStatus(ServerStatusRequest.getDefaultInstance());
        assertEquals(10, s.getNumFlows());
        assertEquals(1023, s.getMaxFlows());
        assertEquals(10, s.getSeenFlows());
        assertEquals(3_000_000_000L, s.getUptimeNs());
        assertEquals(1, s.getNumConnectedNodes().getValue());
        assertEquals(0, s.getNumUnavailableNodes().getValue());
        assertEquals("flows 0.1.0", s.getVersion());
        assertEquals(0, s.getFlowsLost().getKernelRing() + s.getFlowsLost().getEventQueue()
                + s.getFlowsLost().getDecodeErrors() + s.getFlowsLost().getReaderOverrun());
    }

    @Test
    void serverStatusCountsLossAtEachStage() throws Exception {
        stop();
        buffer = new FlowBuffer(1023);
        losses = new LossCounters(() -> 7, () -> 5, () -> 3);
        losses.addReaderOverrun(2);
        streams = new ThreadPoolExecutor(0, 4, 10, TimeUnit.SECONDS, new SynchronousQueue<>());
        ObserverService svc = new ObserverService(buffer, losses, new ServerIdentity(NODE, "192.168.10.11:4244", "flows 0.1.0"),
                streams, () -> WALL, mono::get);
        String name = InProcessServerBuilder.generateName();
        server = new ObserverServer(InProcessServerBuilder.forName(name), svc, svc.batches(), new PeerService(() -> ClusterState.EMPTY, 4244)).start();
        channel = InProcessChannelBuilder.forName(name).build();
        observer = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);

        LossCounts lost = observer.serverStatus(ServerStatusRequest.getDefaultInstance()).getFlowsLost();
        assertEquals(7, lost.getKernelRing());
        assertEquals(5, lost.getEventQueue());
        assertEquals(3, lost.getDecodeErrors());
        assertEquals(2, lost.getReaderOverrun());
        assertFalse(lost.hasServicesUnnamed(), "counted only where the datapath translates");
    }

    @Test
    void getNodesListsThisNode() {
        fillTen();
        GetNodesResponse r = observer.getNodes(GetNodesRequest.getDefaultInstance());
        assertEquals(1, r.getNodesCount());
        var n = r.getNodes(0);
        assertEquals(NODE, n.getName());
        assertEquals("192.168.10.11:4244", n.getAddress());
        assertEquals(NodeState.NODE_CONNECTED, n.getState());
        assertEquals("flows 0.1.0", n.getVersion());
        assertEquals(10, n.getNumFlows());
        assertEquals(1023, n.getMaxFlows());
        assertEquals(10, n.getSeenFlows());
    }

    @Test
    void healthServingForHubbleAndEmptyName() {
        var health = HealthGrpc.newBlockingStub(channel);
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                health.check(HealthCheckRequest.newBuilder().setService("hubble.server.Observer").build()).getStatus());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    }

    @Test
    void peerNotifyAddsEveryNodeAndStaysOpen() throws Exception {
        BlockingQueue<ChangeNotification> got = new LinkedBlockingQueue<>();
        boolean[] ended = new boolean[1];
        var ctx = io.grpc.Context.current().withCancellation();
        ctx.run(() -> PeerGrpc.newStub(channel).notify(NotifyRequest.getDefaultInstance(),
                new io.grpc.stub.StreamObserver<>() {
                    public void onNext(ChangeNotification v) { got.add(v); }
                    public void onError(Throwable t) { ended[0] = true; }
                    public void onCompleted() { ended[0] = true; }
                }));
        Map<String, String> peers = new java.util.TreeMap<>();
        for (int i = 0; i < 2; i++) {
            ChangeNotification n = got.poll(5, TimeUnit.SECONDS);
            assertNotNull(n);
            assertEquals(ChangeNotificationType.PEER_ADDED, n.getType());
            peers.put(n.getName(), n.getAddress());
        }
        assertEquals(Map.of("node-1", "192.168.10.11:4244", "node-2", "192.168.10.12:4244"), peers);
        Thread.sleep(200);
        assertFalse(ended[0], "Notify keeps the stream open");
        ctx.cancel(null);
    }

    @Test
    void streamsBeyondTheExecutorAreRefused() throws Exception {
        List<Collector> followers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Collector c = new Collector(-1);
            ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setFollow(true).build(), c);
            followers.add(c);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (((ThreadPoolExecutor) streams).getActiveCount() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> observer.getFlows(GetFlowsRequest.newBuilder().build()).hasNext());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertTrue(followers.stream().allMatch(c -> c.error == null && !c.completed),
                "the running followers are not disturbed by the refused call");
        followers.forEach(c -> c.call.cancel("done", null));
    }
}
