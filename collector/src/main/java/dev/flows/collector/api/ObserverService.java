package dev.flows.collector.api;

import dev.flows.observer.wire.BatchWriter;
import dev.flows.observer.wire.GetFlowsStreams;

import com.google.protobuf.UInt32Value;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.observer.filter.FlowSelection;
import dev.flows.collector.pipeline.LossCounters;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.GetNodesRequest;
import dev.flows.proto.observer.GetNodesResponse;
import dev.flows.proto.observer.LossCounts;
import dev.flows.proto.observer.Node;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.observer.ServerStatusResponse;
import dev.flows.proto.observer.TLS;
import dev.flows.proto.relay.NodeState;
import io.grpc.BindableService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Hubble's observer.Observer served from this node's {@link FlowBuffer}.
 *
 * <p>Each GetFlows stream runs on a thread of the given bounded executor; when it is full, new
 * streams are refused with RESOURCE_EXHAUSTED rather than queued behind followers that never end.
 * Request semantics: {@code number} bounds the result after since/until and filters; without
 * {@code first} the newest {@code number} flows are sent oldest first; 0 means no limit, except
 * that {@code follow} with number 0 and no {@code since} streams only new flows. {@code first}
 * cannot be combined with {@code follow}.
 */
public final class ObserverService extends ObserverGrpc.ObserverImplBase {
    private final FlowBuffer buffer;
    private final LossCounters losses;
    private final ServerIdentity self;
    private final ExecutorService streams;
    private final LongSupplier wallNanos;
    private final LongSupplier monoNanos;
    private final long startMono;

    /**
     * @param streams bounded executor running one GetFlows stream per thread
     * @param wallNanos wall clock in ns (response times, until in follow mode)
     * @param monoNanos monotonic clock in ns (uptime), e.g. System::nanoTime
     */
    public ObserverService(FlowBuffer buffer, LossCounters losses, ServerIdentity self,
            ExecutorService streams, LongSupplier wallNanos, LongSupplier monoNanos) {
        this.buffer = buffer;
        this.losses = losses;
        this.self = self;
        this.streams = streams;
        this.wallNanos = wallNanos;
        this.monoNanos = monoNanos;
        this.startMono = monoNanos.getAsLong();
    }

    @Override
    public void getFlows(GetFlowsRequest req, StreamObserver<GetFlowsResponse> observer) {
        ServerCallStreamObserver<GetFlowsResponse> out = (ServerCallStreamObserver<GetFlowsResponse>) observer;
        start(req, out, selection -> new GetFlowsCall(req, selection, buffer, losses, self.nodeName(), wallNanos, out));
    }

    /** The relay's form of GetFlows: the same stream, its responses in batches ({@link FlowBatchService}). */
    void getFlowBatches(GetFlowsRequest req, ServerCallStreamObserver<BatchWriter> out) {
        start(req, out, selection -> GetFlowsCall.batched(req, selection, buffer, losses, self.nodeName(), wallNanos, out));
    }

    /** The batched form of GetFlows, to be served beside this service (ObserverServer does). */
    public BindableService batches() {
        return new FlowBatchService(this);
    }

    private void start(GetFlowsRequest req, StreamObserver<?> out, Function<FlowSelection, GetFlowsCall> call) {
        GetFlowsStreams.start(streams, self.nodeName(), req, out, call::apply);
    }

    @Override
    public void serverStatus(ServerStatusRequest req, StreamObserver<ServerStatusResponse> out) {
        out.onNext(ServerStatusResponse.newBuilder()
                .setNumFlows(buffer.size())
                .setMaxFlows(buffer.capacity())
                .setSeenFlows(buffer.seenFlows())
                .setUptimeNs(uptimeNanos())
                .setNumConnectedNodes(UInt32Value.of(1))
                .setNumUnavailableNodes(UInt32Value.of(0))
                .setVersion(self.version())
                .setFlowsLost(lossCounts())
                .build());
        out.onCompleted();
    }

    private LossCounts lossCounts() {
        LossCounts.Builder lost = LossCounts.newBuilder()
                .setKernelRing(losses.kernelRing())
                .setEventQueue(losses.rawQueue())
                .setDecodeErrors(losses.decodeErrors())
                .setReaderOverrun(losses.readerOverrun());
        if (losses.countsServices()) {
            lost.setServicesUnnamed(losses.servicesUnnamed());
        }
        return lost.build();
    }

    @Override
    public void getNodes(GetNodesRequest req, StreamObserver<GetNodesResponse> out) {
        out.onNext(GetNodesResponse.newBuilder().addNodes(Node.newBuilder()
                        .setName(self.nodeName())
                        .setVersion(self.version())
                        .setAddress(self.address())
                        .setState(NodeState.NODE_CONNECTED)
                        .setTls(TLS.newBuilder().setEnabled(false))
                        .setUptimeNs(uptimeNanos())
                        .setNumFlows(buffer.size())
                        .setMaxFlows(buffer.capacity())
                        .setSeenFlows(buffer.seenFlows()))
                .build());
        out.onCompleted();
    }

    private long uptimeNanos() {
        return Math.max(0, monoNanos.getAsLong() - startMono);
    }
}
