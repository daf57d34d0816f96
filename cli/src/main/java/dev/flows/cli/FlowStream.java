package dev.flows.cli;

import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * One GetFlows stream whose responses are handled on gRPC's transport thread as they arrive (the
 * channel must be built with {@code directExecutor}). A blocking stub's iterator hands every
 * response to the caller's thread, a wakeup per flow; here the handler itself is the back
 * pressure: while it prints, no more is read. Responses are asked for in windows of
 * {@link #WINDOW}, not one request per response.
 */
final class FlowStream implements ClientResponseObserver<GetFlowsRequest, GetFlowsResponse> {
    static final int WINDOW = 4096;

    private final Consumer<GetFlowsResponse> handler;
    private final CountDownLatch done = new CountDownLatch(1);
    private ClientCallStreamObserver<GetFlowsRequest> call;
    /** Transport thread only. */
    private int sinceRequest;
    private volatile Throwable failure;

    private FlowStream(Consumer<GetFlowsResponse> handler) {
        this.handler = handler;
    }

    /**
     * Streams {@code request}'s responses into {@code handler} until the server ends the stream.
     *
     * @throws StatusRuntimeException if the server failed the call
     * @throws RuntimeException what the handler threw (the call is cancelled then)
     */
    static void run(ManagedChannel channel, GetFlowsRequest request, Consumer<GetFlowsResponse> handler)
            throws InterruptedException {
        FlowStream s = new FlowStream(handler);
        ObserverGrpc.newStub(channel).getFlows(request, s);
        s.done.await();
        Throwable t = s.failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw Status.fromThrowable(t).asRuntimeException();
        }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> c) {
        call = c;
        c.disableAutoRequestWithInitial(WINDOW);
    }

    @Override
    public void onNext(GetFlowsResponse r) {
        if (failure != null) {
            return;
        }
        try {
            handler.accept(r);
        } catch (RuntimeException | Error e) {
            failure = e;
            call.cancel("the client failed", e);
            return;
        }
        if (++sinceRequest >= WINDOW / 2) {
            call.request(sinceRequest);
            sinceRequest = 0;
        }
    }

    @Override
    public void onError(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        done.countDown();
    }

    @Override
    public void onCompleted() {
        done.countDown();
    }
}
