package dev.flows.collector.api;

import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.relay.FlowBatch;
import dev.flows.proto.relay.FlowBatchesGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * relay.FlowBatches: GetFlows for the relay, with the same request semantics, checks and stream
 * limit as the Observer's, its responses many per message. gRPC's cost per message on both ends
 * (framing, write, flow control, delivery) is then paid per few hundred flows on this hop.
 */
final class FlowBatchService extends FlowBatchesGrpc.FlowBatchesImplBase {
    private final ObserverService observer;

    FlowBatchService(ObserverService observer) {
        this.observer = observer;
    }

    @Override
    public void getFlowBatches(GetFlowsRequest req, StreamObserver<FlowBatch> out) {
        observer.getFlowBatches(req, (ServerCallStreamObserver<FlowBatch>) out);
    }
}
