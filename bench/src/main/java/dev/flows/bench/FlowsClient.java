package dev.flows.bench;

import com.google.protobuf.util.Timestamps;
import dev.flows.cli.FlowStream;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.observer.ServerStatusResponse;
import dev.flows.proto.relay.NodeState;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bench's stand-in for {@code flows observe}: one GetFlows stream to an Observer endpoint
 * (here the relay) that counts the flows it receives and the losses it is told about, per source,
 * and can record each flow's latency: arrival wall time minus the flow's own time (the kernel's
 * timestamp of the packet, converted to wall time by the collector). Same machine, same clock.
 */
final class FlowsClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final AtomicLong flows = new AtomicLong();
    private final ConcurrentHashMap<LostEventSource, AtomicLong> lost = new ConcurrentHashMap<>();
    /** Nodes the stream said were unavailable or failed (their flows are missing from the count). */
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private volatile FlowStream stream;
    /** Latencies (ns) of flows stamped at or after this wall time are recorded; MAX_VALUE: none. */
    private volatile long recordFromWall = Long.MAX_VALUE;
    private long[] latencies = new long[1 << 16];
    private int recorded;

    FlowsClient(int port) {
        this(port, InsecureChannelCredentials.create(), null);
    }

    /** Over {@code credentials} (TLS: the server's certificate must name {@code authority}). */
    FlowsClient(int port, ChannelCredentials credentials, String authority) {
        // counting is cheap: do it on the transport thread, so the client costs no thread hop per flow
        NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).directExecutor();
        this.channel = (authority == null ? b : b.overrideAuthority(authority)).build();
    }

    /**
     * Starts the stream as {@code flows observe} asks for it, through the CLI's own
     * {@link FlowStream}: relay.FlowBatches, every response parsed; or, with {@code batches} false,
     * as a Hubble client does: observer.Observer/GetFlows, one response per message. Responses are
     * handled on gRPC's thread as they arrive.
     */
    FlowsClient start(GetFlowsRequest req, boolean batches) {
        stream = batches ? FlowStream.open(channel, req, this::handle) : FlowStream.openGetFlows(channel, req, this::handle);
        return this;
    }

    private void handle(GetFlowsResponse r) {
        if (r.hasFlow()) {
            flows.incrementAndGet();
            long t = Timestamps.toNanos(r.getFlow().getTime());
            if (t >= recordFromWall) {
                record(wallNanos() - t);
            }
        } else if (r.hasNodeStatus() && r.getNodeStatus().getStateChange() != NodeState.NODE_CONNECTED) {
            down.addAll(r.getNodeStatus().getNodeNamesList());
        } else if (r.hasLostEvents()) {
            lost.computeIfAbsent(r.getLostEvents().getSource(), s -> new AtomicLong())
                    .addAndGet(r.getLostEvents().getNumEventsLost());
        }
    }

    /** From now on, record the latency of every flow stamped from now on. */
    void recordLatencies() {
        recordFromWall = wallNanos();
    }

    /** Stops recording; returns the latencies recorded (ns), sorted. */
    synchronized long[] stopRecording() {
        recordFromWall = Long.MAX_VALUE;
        long[] out = Arrays.copyOf(latencies, recorded);
        Arrays.sort(out);
        return out;
    }

    private synchronized void record(long nanos) {
        if (recorded == latencies.length) {
            latencies = Arrays.copyOf(latencies, recorded * 2);
        }
        latencies[recorded++] = nanos;
    }

    /** The nodes the stream reported as not connected (NODE_UNAVAILABLE, NODE_ERROR ...), if any. */
    Set<String> nodesDown() {
        return new TreeSet<>(down);
    }

    long flows() {
        return flows.get();
    }

    /** Events the stream said were lost at this source (relay queue, collector buffer, kernel ...). */
    long lost(LostEventSource source) {
        AtomicLong n = lost.get(source);
        return n == null ? 0 : n.get();
    }

    long lostTotal() {
        return lost.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Waits for the server to end the stream; false on timeout. Throws if it failed. */
    boolean awaitEnd(long millis) throws InterruptedException {
        try {
            return stream.await(millis);
        } catch (RuntimeException e) {
            throw new IllegalStateException("GetFlows through the relay failed: " + e, e);
        }
    }

    ServerStatusResponse serverStatus() {
        return ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(3, TimeUnit.SECONDS)
                .serverStatus(ServerStatusRequest.getDefaultInstance());
    }

    static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void close() {
        FlowStream s = stream;
        if (s != null) {
            s.cancel();
        }
        channel.shutdownNow();
    }
}
