package dev.flows.relay.api;

import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.relay.peers.Peer;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;

/**
 * One GetFlows stream from the relay to one collector, on behalf of one client stream. With
 * {@code credit > 0} the collector may run at most that many responses ahead of what the merge
 * has released (history is then complete however slow the client; the collector's reader waits);
 * with 0 the stream is read as fast as it comes (live flows, where the merge's bound drops and
 * counts instead). Responses arrive as the collector's bytes ({@link RawGetFlows}), never parsed here.
 */
final class Upstream implements ClientResponseObserver<GetFlowsRequest, RawResponse> {
    /** Where responses and the end of the stream go. */
    interface Sink {
        void received(Upstream from, RawResponse r);

        /** @param error null when the collector completed the stream */
        void ended(Upstream from, Throwable error);
    }

    private final Peer peer;
    private final int credit;
    private final Sink sink;
    private volatile ClientCallStreamObserver<GetFlowsRequest> call;
    private volatile boolean cancelled;
    /** Responses released since credit was last returned to the collector. */
    private int unrequested;
    /** A retried stream, to be announced (NODE_CONNECTED) by its first response. Guarded by the sink's lock. */
    private boolean announce;
    /** The time of the last flow received (Long.MIN_VALUE: none yet). Guarded by the sink's lock. */
    long lastFlowNanos = Long.MIN_VALUE;

    Upstream(Peer peer, int credit, Sink sink) {
        this.peer = peer;
        this.credit = credit;
        this.sink = sink;
    }

    Upstream start(GetFlowsRequest req) {
        ClientCalls.asyncServerStreamingCall(peer.channel().newCall(RawGetFlows.METHOD, CallOptions.DEFAULT), req, this);
        return this;
    }

    Peer peer() {
        return peer;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> requestStream) {
        call = requestStream;
        if (credit > 0) {
            requestStream.disableAutoRequestWithInitial(credit);
        }
    }

    /**
     * The merge let one of our responses go: the collector may send one more. Credit is returned
     * in batches of a quarter of it, since each request() from this thread is a task on the
     * transport's event loop. The collector may still never run more than {@code credit} ahead, and
     * cannot stall: with nothing of ours pending in the merge it has at least 3/4 of it left.
     * Called with the merge's lock held.
     */
    void released() {
        if (credit > 0 && !cancelled && ++unrequested >= Math.max(1, credit / 4)) {
            call.request(unrequested);
            unrequested = 0;
        }
    }

    /** Announce this stream's collector as back once it delivers (a retry of a failed stream). */
    void announceOnDelivery() {
        announce = true;
    }

    /** Whether this stream was still to be announced; it is not any more. */
    boolean takeAnnouncement() {
        boolean was = announce;
        announce = false;
        return was;
    }

    void cancel() {
        cancelled = true;
        ClientCallStreamObserver<GetFlowsRequest> c = call;
        if (c != null) {
            c.cancel("the client stream is over", null);
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public void onNext(RawResponse r) {
        sink.received(this, r);
    }

    /*
     * The end of a stream we cancelled is not passed on: the sink has dropped this upstream already,
     * and on a directExecutor channel cancel() may deliver it inline, while the sink iterates its
     * upstreams under its own (reentrant) lock.
     */
    @Override
    public void onError(Throwable t) {
        if (!cancelled) {
            sink.ended(this, t);
        }
    }

    @Override
    public void onCompleted() {
        if (!cancelled) {
            sink.ended(this, null);
        }
    }
}
