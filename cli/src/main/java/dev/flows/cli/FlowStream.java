package dev.flows.cli;

import dev.flows.observer.wire.FlowBatchMethod;
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
import java.util.concurrent.TimeUnit;
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
 * The relay benchmark reads through this class too, so its figures are this client's.
 */
public final class FlowStream {
    /** Messages asked for at a time with GetFlows (one response each), half again once half have come. */
    static final int WINDOW = 4096;
    /** The same for batches: each holds up to 64 KiB of responses. */
    static final int BATCH_WINDOW = 16;

    private final ManagedChannel channel;
    private final GetFlowsRequest request;
    private final Consumer<GetFlowsResponse> handler;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Call<?> current;
    private volatile Throwable failure;

    private FlowStream(ManagedChannel channel, GetFlowsRequest request, Consumer<GetFlowsResponse> handler) {
        this.channel = channel;
        this.request = request;
        this.handler = handler;
    }

    /**
     * Streams {@code request}'s responses into {@code handler} until the server ends the stream.
     *
     * @throws StatusRuntimeException if the server failed the call
     * @throws RuntimeException what the handler threw (the call is cancelled then)
     */
    public static void run(ManagedChannel channel, GetFlowsRequest request, Consumer<GetFlowsResponse> handler)
            throws InterruptedException {
        open(channel, request, handler).await(Long.MAX_VALUE);
    }

    /** Starts the stream as flows observe asks for it: batches, else GetFlows. */
    public static FlowStream open(ManagedChannel channel, GetFlowsRequest request, Consumer<GetFlowsResponse> handler) {
        FlowStream s = new FlowStream(channel, request, handler);
        s.start(s.new Call<List<GetFlowsResponse>>(FlowBatchMethod.CLIENT, BATCH_WINDOW, batch -> batch.forEach(handler), true));
        return s;
    }

    /** Starts the stream as a Hubble client asks for it: observer.Observer/GetFlows only. */
    public static FlowStream openGetFlows(ManagedChannel channel, GetFlowsRequest request, Consumer<GetFlowsResponse> handler) {
        FlowStream s = new FlowStream(channel, request, handler);
        s.start(s.new Call<GetFlowsResponse>(ObserverGrpc.getGetFlowsMethod(), WINDOW, handler, false));
        return s;
    }

    private <T> void start(Call<T> call) {
        current = call;
        ClientCalls.asyncServerStreamingCall(channel.newCall(call.method, CallOptions.DEFAULT), request, call);
    }

    /**
     * Waits for the end of the stream; false if it has not ended within {@code millis}.
     *
     * @throws StatusRuntimeException if the server failed the call
     * @throws RuntimeException what the handler threw (the call is cancelled then)
     */
    public boolean await(long millis) throws InterruptedException {
        if (!done.await(millis, TimeUnit.MILLISECONDS)) {
            return false;
        }
        Throwable t = failure;
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw Status.fromThrowable(t).asRuntimeException();
        }
        return true;
    }

    /** Ends the stream from this side. */
    public void cancel() {
        Call<?> c = current;
        if (c != null && done.getCount() > 0 && c.call != null) {
            c.call.cancel("the client is done", null);
        }
    }

    /** One call: batches or GetFlows. */
    private final class Call<T> implements ClientResponseObserver<GetFlowsRequest, T> {
        final MethodDescriptor<GetFlowsRequest, T> method;
        private final int window;
        private final Consumer<T> deliver;
        /** Whether an UNIMPLEMENTED answer before anything else means: ask for GetFlows instead. */
        private final boolean mayFallBack;
        volatile ClientCallStreamObserver<GetFlowsRequest> call;
        private volatile boolean received;
        /** Transport thread only. */
        private int sinceRequest;

        Call(MethodDescriptor<GetFlowsRequest, T> method, int window, Consumer<T> deliver, boolean mayFallBack) {
            this.method = method;
            this.window = window;
            this.deliver = deliver;
            this.mayFallBack = mayFallBack;
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
                deliver.accept(message);
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
            if (mayFallBack && failure == null && FlowBatchMethod.notServed(t, received)) {
                start(new Call<GetFlowsResponse>(ObserverGrpc.getGetFlowsMethod(), WINDOW, handler, false));
                return;
            }
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
}
