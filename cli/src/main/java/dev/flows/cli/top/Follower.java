package dev.flows.cli.top;

import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Follows GetFlows on a background thread and records every flow in a {@link TopTable}. A failed
 * or ended stream is a status line and a retry a second later, not the end of top: a collector
 * restarting should not close the user's screen.
 */
final class Follower implements AutoCloseable {
    private static final long RETRY_MILLIS = 1000;

    private final String target;
    private final Function<StatusRuntimeException, String> describe;
    private final GetFlowsRequest request;
    private final TopTable table;
    private final LongSupplier clock;
    private final ManagedChannel channel;
    private final Thread thread;
    private volatile String problem;
    private volatile long lost;
    private volatile boolean closed;

    /**
     * @param channel to the server (plaintext or TLS, as the server flags said); closed with this
     * @param describe a failed stream as one line (TLS refusals name the certificate)
     */
    Follower(ManagedChannel channel, String target, Function<StatusRuntimeException, String> describe, GetFlowsRequest request,
            TopTable table, LongSupplier clock) {
        this.target = target;
        this.describe = describe;
        this.request = request;
        this.table = table;
        this.clock = clock;
        this.channel = channel;
        this.thread = new Thread(this::loop, "flows-top-follow");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Why no flows are arriving, or null while the stream is up. */
    String problem() {
        return problem;
    }

    /** Events the server said it lost (lost_events), summed. */
    long lost() {
        return lost;
    }

    private void loop() {
        while (!closed) {
            try {
                Iterator<GetFlowsResponse> it = ObserverGrpc.newBlockingStub(channel).getFlows(request);
                while (it.hasNext()) {
                    GetFlowsResponse r = it.next();
                    problem = null;
                    if (r.hasFlow()) {
                        table.record(r.getFlow(), clock.getAsLong());
                    } else if (r.hasLostEvents()) {
                        lost += r.getLostEvents().getNumEventsLost();
                    }
                }
                problem = "server " + target + " ended the stream (reconnecting)";
            } catch (StatusRuntimeException e) {
                if (closed) {
                    return;
                }
                problem = describe.apply(e);
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        channel.shutdownNow();
        thread.interrupt();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
