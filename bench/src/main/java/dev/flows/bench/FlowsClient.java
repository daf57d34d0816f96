package dev.flows.bench;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.observer.ServerStatusResponse;
import dev.flows.proto.relay.NodeState;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bench's stand-in for {@code flows observe}: one GetFlows stream to an Observer endpoint
 * (here the relay) that counts the flows it receives and the losses it is told about, per source,
 * and can record each flow's latency: arrival wall time minus the flow's own time (the kernel's
 * timestamp of the packet, converted to wall time by the collector). Same machine, same clock.
 */
final class FlowsClient implements AutoCloseable {
    /** Responses asked for at a time (half again once half have arrived), not gRPC's one per response. */
    private static final int WINDOW = 4096;
    private final ManagedChannel channel;
    /** Responses received since more were asked for; transport thread only. */
    private int sinceRequest;
    private final AtomicLong flows = new AtomicLong();
    private final ConcurrentHashMap<LostEventSource, AtomicLong> lost = new ConcurrentHashMap<>();
    private final CountDownLatch done = new CountDownLatch(1);
    /** Nodes the stream said were unavailable or failed (their flows are missing from the count). */
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private volatile ClientCallStreamObserver<GetFlowsRequest> call;
    private volatile Throwable error;
    /** Latencies (ns) of flows stamped at or after this wall time are recorded; MAX_VALUE: none. */
    private volatile long recordFromWall = Long.MAX_VALUE;
    private long[] latencies = new long[1 << 16];
    private int recorded;

    FlowsClient(int port) {
        // counting is cheap: do it on the transport thread, so the client costs no thread hop per flow
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
    }

    /** Starts the stream; responses are counted on gRPC's thread as they arrive. */
    FlowsClient start(GetFlowsRequest req) {
        ObserverGrpc.newStub(channel).getFlows(req, new ClientResponseObserver<GetFlowsRequest, GetFlowsResponse>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> c) {
                call = c;
                c.disableAutoRequestWithInitial(WINDOW);
            }

            @Override
            public void onNext(GetFlowsResponse r) {
                requestMore();
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

            @Override
            public void onError(Throwable t) {
                error = t;
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        return this;
    }

    /**
     * Starts the stream without parsing the responses: each is read into a byte array and counted
     * as a flow when its first field is the flow (field 1: collectors and the relay write a
     * response's fields in number order). Not what `flows observe` does: it measures the path up to
     * the client without the client's own protobuf parsing. Loss notices are not counted here.
     */
    FlowsClient startUnparsed(GetFlowsRequest req) {
        MethodDescriptor<GetFlowsRequest, byte[]> method = ObserverGrpc.getGetFlowsMethod()
                .toBuilder(ObserverGrpc.getGetFlowsMethod().getRequestMarshaller(), new BytesMarshaller()).build();
        ClientCalls.asyncServerStreamingCall(channel.newCall(method, CallOptions.DEFAULT), req,
                new ClientResponseObserver<GetFlowsRequest, byte[]>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> c) {
                        call = c;
                        c.disableAutoRequestWithInitial(WINDOW);
                    }

                    @Override
                    public void onNext(byte[] r) {
                        requestMore();
                        if (r.length > 0 && r[0] == 0x0A) {
                            flows.incrementAndGet();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        error = t;
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        return this;
    }

    private void requestMore() {
        if (++sinceRequest >= WINDOW / 2) {
            call.request(sinceRequest);
            sinceRequest = 0;
        }
    }

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            throw new UnsupportedOperationException("the bench client sends no responses");
        }

        @Override
        public byte[] parse(InputStream in) {
            try {
                return in.readNBytes(in.available());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
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
        boolean ended = done.await(millis, TimeUnit.MILLISECONDS);
        if (error != null) {
            throw new IllegalStateException("GetFlows through the relay failed: " + error, error);
        }
        return ended;
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
        ClientCallStreamObserver<GetFlowsRequest> c = call;
        if (c != null && done.getCount() > 0) {
            c.cancel("bench done", null);
        }
        channel.shutdownNow();
    }
}
