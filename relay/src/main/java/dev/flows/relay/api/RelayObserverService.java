package dev.flows.relay.api;

import dev.flows.observer.wire.BatchWriter;
import dev.flows.observer.wire.FlowBatchMethod;
import dev.flows.observer.wire.GetFlowsStreams;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetNodesRequest;
import dev.flows.proto.observer.GetNodesResponse;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.observer.ServerStatusResponse;
import dev.flows.proto.relay.FlowBatchesGrpc;
import dev.flows.relay.peers.PeerPool;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * observer.Observer for the whole cluster: GetFlows merged from every collector
 * ({@link RelayFlowsCall}), ServerStatus and GetNodes summed and listed across them
 * ({@link ClusterStatus}). Filters are checked here (a bad one fails before any collector is
 * asked) and applied by the collectors. GetFlows is bound with {@link RawGetFlows}: the collectors'
 * responses go out as the bytes they came in; to any client it is the usual Observer service.
 */
public final class RelayObserverService implements BindableService {
    private final PeerPool pool;
    private final ExecutorService streams;
    private final RelayClock clock;
    private final long windowNanos;
    private final long quietGraceNanos;
    private final int clientQueue;
    private final RelayLosses losses;
    private final ClusterStatus status;

    /**
     * @param streams bounded executor running one client GetFlows stream per thread
     * @param window how long a flow may wait for older flows of other nodes
     * @param quietGrace how old a live flow must be to go without waiting for a node that has sent
     *     nothing since (see {@link MergeQueue})
     * @param clientQueue live responses held per client before the relay drops (and reports) them
     */
    public RelayObserverService(PeerPool pool, ExecutorService streams, RelayClock clock, Duration window,
            Duration quietGrace, int clientQueue, RelayLosses losses, String version) {
        this.pool = pool;
        this.streams = streams;
        this.clock = clock;
        this.windowNanos = window.toNanos();
        this.quietGraceNanos = quietGrace.toNanos();
        this.clientQueue = clientQueue;
        this.losses = losses;
        this.status = new ClusterStatus(pool, clock, losses, version);
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder(ObserverGrpc.SERVICE_NAME)
                .addMethod(RawGetFlows.METHOD, ServerCalls.asyncServerStreamingCall(
                        (req, observer) -> getFlows(req, Outbound.single((ServerCallStreamObserver<RawResponse>) observer))))
                .addMethod(ObserverGrpc.getServerStatusMethod(), ServerCalls.asyncUnaryCall(this::serverStatus))
                .addMethod(ObserverGrpc.getGetNodesMethod(), ServerCalls.asyncUnaryCall(this::getNodes))
                .build();
    }

    /** relay.FlowBatches beside the Observer: the same GetFlows, many responses per message (the flows CLI asks for it). */
    public BindableService batches() {
        return () -> ServerServiceDefinition.builder(FlowBatchesGrpc.SERVICE_NAME)
                .addMethod(FlowBatchMethod.SERVER, ServerCalls.asyncServerStreamingCall(
                        (req, observer) -> getFlows(req, Outbound.batched((ServerCallStreamObserver<BatchWriter>) observer))))
                .build();
    }

    private void getFlows(GetFlowsRequest req, Outbound outbound) {
        GetFlowsStreams.start(streams, "the relay", req, outbound.call(),
                selection -> new RelayFlowsCall(req, pool, clock, windowNanos, quietGraceNanos, clientQueue, losses, outbound));
    }

    private void serverStatus(ServerStatusRequest req, StreamObserver<ServerStatusResponse> out) {
        out.onNext(status.serverStatus());
        out.onCompleted();
    }

    private void getNodes(GetNodesRequest req, StreamObserver<GetNodesResponse> out) {
        out.onNext(status.nodes());
        out.onCompleted();
    }
}
