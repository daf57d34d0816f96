package dev.flows.cli;

import dev.flows.collector.api.FlowBatchMethod;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * One GetFlows stream whose responses are handled on gRPC's transport thread as they arrive (the
 * channel must be built with {@code directExecutor}). A blocking stub's iterator hands every
 * response to the caller's thread, a wakeup per flow; here the handler itself is the back
 * pressure: while it prints, no more is read. Messages are asked for in windows, not one request
 * per message.
 *
 * <p>The stream is asked for as relay.FlowBatches (many responses per message), which the relay and
 * collectors serve; a server without it (any other Observer, such as Hubble's own relay) answers
 * UNIMPLEMENTED before anything else, and the stream is asked for again as observer.Observer/GetFlows.
 */
final class FlowStream<T> implements ClientResponseObserver<GetFlowsRequest, T> {
    /** Messages asked for at a time with GetFlows (one response each), half again once half have come. */
    static final int WINDOW = 4096;
    /** The same for batches: each holds up to 64 KiB of responses. */
    static final int BATCH_WINDOW = 16;

    private final Consumer<T> handler;
    private final int window;
    private final CountDownLatch done = new CountDownLatch(1);
    private ClientCallStreamObserver<GetFlowsRequest> call;
    /** Transport thread only. */
    private int sinceRequest;
    private volatile boolean received;
    private volatile Throwable failure;

    private FlowStream(Consumer<T> handler, int window) {
        this.handler = handler;
        this.window = window;
    }

    /**
     * Streams {@code request}'s responses into {@code handler} until the server ends the stream.
     *
     * @throws StatusRuntimeException if the server failed the call
     * @throws RuntimeException what the handler threw (the call is cancelled then)
     */
    static void run(ManagedChannel channel, GetFlowsRequest request, Consumer<GetFlowsResponse> handler)
            throws InterruptedException {
        FlowStream<List<GetFlowsResponse>> batched = new FlowStream<>(batch -> batch.forEach(handler), BATCH_WINDOW);
        Throwable t = batched.await(channel, FlowBatchMethod.CLIENT, request);
        if (t != null && !batched.received && Status.fromThrowable(t).getCode() == Status.Code.UNIMPLEMENTED) {
            t = new FlowStream<>(handler, WINDOW).await(channel, ObserverGrpc.getGetFlowsMethod(), request);
        }
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

    /** Runs the call to its end; what failed it, or null. */
    private Throwable await(ManagedChannel channel, MethodDescriptor<GetFlowsRequest, T> method, GetFlowsRequest request)
            throws InterruptedException {
        ClientCalls.asyncServerStreamingCall(channel.newCall(method, CallOptions.DEFAULT), request, this);
        done.await();
        return failure;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> c) {
        call = c;
        c.disableAutoRequestWithInitial(window);
    }

    @Override
    public void onNext(T message) {
        received = true;
        if (failure != null) {
            return;
        }
        try {
            handler.accept(message);
        } catch (RuntimeException | Error e) {
            failure = e;
            call.cancel("the client failed", e);
            return;
        }
        if (++sinceRequest >= window / 2) {
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
