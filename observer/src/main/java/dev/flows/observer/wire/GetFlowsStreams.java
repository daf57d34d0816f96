package dev.flows.observer.wire;

import dev.flows.observer.filter.FlowSelection;
import dev.flows.proto.observer.GetFlowsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * How every Observer endpoint (collector and relay) starts a GetFlows stream: each stream runs on
 * a thread of a bounded executor, and when every thread is taken a new stream is refused with
 * RESOURCE_EXHAUSTED rather than queued behind followers that never end.
 */
public final class GetFlowsStreams {
    private GetFlowsStreams() {}

    /**
     * A bounded executor for GetFlows streams: at most {@code maxStreams} concurrent streams, each
     * on its own daemon thread named "getflows-N", none queued.
     */
    public static ExecutorService executor(int maxStreams) {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("max concurrent GetFlows streams must be >= 1, got " + maxStreams);
        }
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, maxStreams, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "getflows-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks the request ({@link GetFlowsRequests#check}) and runs the stream made from its
     * selection on a free thread of {@code streams}; otherwise fails {@code out} with
     * INVALID_ARGUMENT, or RESOURCE_EXHAUSTED naming {@code where} ("node-a", "the relay").
     */
    public static void start(ExecutorService streams, String where, GetFlowsRequest req, StreamObserver<?> out,
            Function<FlowSelection, Runnable> stream) {
        FlowSelection selection;
        try {
            selection = GetFlowsRequests.check(req);
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        try {
            streams.execute(stream.apply(selection));
        } catch (RejectedExecutionException e) {
            out.onError(Status.RESOURCE_EXHAUSTED
                    .withDescription("too many concurrent GetFlows streams on " + where)
                    .asRuntimeException());
        }
    }
}
