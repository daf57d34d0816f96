package dev.flows.relay.api;

import dev.flows.observer.wire.BatchWriter;
import dev.flows.observer.wire.StreamLimits;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * Where one client's merged responses go: each as its own GetFlows message (any Observer client),
 * or gathered into FlowBatches messages (the flows CLI), sent by {@link #flush()} at the end of
 * each round of the merge or as soon as a batch is full. gRPC's cost per message (framing, a
 * buffer, a write, flow control, and the same again in the client) was most of the relay's CPU per
 * flow: in batches it is paid per few hundred flows.
 */
final class Outbound {
    private final ServerCallStreamObserver<Object> call;
    /** Null when responses go one per message. */
    private final BatchWriter batch;

    private Outbound(ServerCallStreamObserver<?> call, BatchWriter batch) {
        this.call = erase(call);
        this.batch = batch;
    }

    /** observer.Observer/GetFlows: one response per message. */
    static Outbound single(ServerCallStreamObserver<RawResponse> call) {
        return new Outbound(call, null);
    }

    /** relay.FlowBatches/GetFlowBatches: many per message. */
    static Outbound batched(ServerCallStreamObserver<BatchWriter> call) {
        return new Outbound(call, StreamLimits.batchWriter());
    }

    @SuppressWarnings("unchecked")
    private static ServerCallStreamObserver<Object> erase(ServerCallStreamObserver<?> call) {
        return (ServerCallStreamObserver<Object>) call;
    }

    /** The call, for flow control, cancellation and its end. */
    ServerCallStreamObserver<?> call() {
        return call;
    }

    void send(RawResponse r) {
        if (batch == null) {
            call.onNext(r);
            return;
        }
        r.writeTo(batch);
        if (batch.size() >= StreamLimits.BATCH_BYTES) {
            flush();
        }
    }

    /** Sends what is gathered; gRPC has copied it when onNext returns, so the batch is reused. */
    void flush() {
        if (batch != null && batch.count() > 0) {
            call.onNext(batch);
            batch.clear();
        }
    }
}
