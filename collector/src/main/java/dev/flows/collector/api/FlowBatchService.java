package dev.flows.collector.api;

import dev.flows.observer.wire.BatchWriter;
import dev.flows.observer.wire.FlowBatchMethod;

import dev.flows.proto.relay.FlowBatchesGrpc;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;

/**
 * relay.FlowBatches: GetFlows for the relay, with the same request semantics, checks and stream
 * limit as the Observer's, its responses many per message. gRPC's cost per message on both ends
 * (framing, write, flow control, delivery) is then paid per few hundred flows on this hop. On the
 * wire each message is a FlowBatch; here it is written by {@link BatchWriter}, never built.
 */
final class FlowBatchService implements BindableService {
    private final ObserverService observer;

    FlowBatchService(ObserverService observer) {
        this.observer = observer;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder(FlowBatchesGrpc.SERVICE_NAME)
                .addMethod(FlowBatchMethod.SERVER, ServerCalls.asyncServerStreamingCall(
                        (req, out) -> observer.getFlowBatches(req, (ServerCallStreamObserver<BatchWriter>) out)))
                .build();
    }
}
