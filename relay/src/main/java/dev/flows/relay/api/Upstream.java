package dev.flows.relay.api;

import dev.flows.observer.wire.FlowBatchMethod;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.relay.peers.Peer;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One GetFlows stream from the relay to one collector, on behalf of one client stream, called as
 * the collector's batched form ({@link RawFlowBatches}: a few hundred responses per message). With
 * {@code credit > 0} the collector may run at most that many batches ahead of what the merge
 * has released (history is then complete however slow the client; the collector's reader waits);
 * with 0 the stream is read as fast as it comes (live flows, where the merge's bound drops and
 * counts instead). Responses arrive as the collector's bytes, never parsed here. A collector
 * that does not serve the batched form (an older one, or any other Observer: UNIMPLEMENTED) is
 * read with plain GetFlows instead ({@link RawGetFlows}), each response a batch of one, with
 * {@link #RESPONSES_PER_BATCH} times the window.
 */
final class Upstream implements ClientResponseObserver<GetFlowsRequest, List<RawResponse>> {
    /**
     * Live streams ask the collector for batches this many at a time (half of it again once half
     * has arrived) rather than gRPC's one request per message. Not a bound on memory: live
     * responses go straight into the merge, which drops and counts beyond its capacity.
     */
    static final int LIVE_WINDOW = 64;
    /** Windows are counted in batches; read one response per message, they are this many times larger. */
    static final int RESPONSES_PER_BATCH = 128;
    /** Where responses and the end of the stream go. */
    interface Sink {
        /** One batch of responses, in the order the collector sent them. */
        void received(Upstream from, List<RawResponse> batch);

        /** @param error null when the collector completed the stream */
        void ended(Upstream from, Throwable error);
    }

    private final Peer peer;
    private final int credit;
    private GetFlowsRequest request;
    /** Reading plain GetFlows (the collector has no batched form). */
    private volatile boolean single;
    /** Whether anything came on this stream: only then is it too late to fall back to plain GetFlows. */
    private volatile boolean delivered;
    private final Sink sink;
    private volatile ClientCallStreamObserver<GetFlowsRequest> call;
    private volatile boolean cancelled;
    /** Sizes of the batches received and not yet wholly released, oldest first. */
    private final Queue<Integer> unreleased = new ConcurrentLinkedQueue<>();
    /** Responses of the oldest unreleased batch released so far. Guarded by the sink's lock. */
    private int releasedOfOldest;
    /** Batches wholly released since credit was last returned to the collector. Guarded by the sink's lock. */
    private int unrequested;
    /** Live: batches received since more were last requested. Transport thread only. */
    private int receivedSinceRequest;
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
        request = req;
        ClientCalls.asyncServerStreamingCall(peer.channel().newCall(RawFlowBatches.METHOD, CallOptions.DEFAULT), req, this);
        return this;
    }

    Peer peer() {
        return peer;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> requestStream) {
        call = requestStream;
        requestStream.disableAutoRequestWithInitial(window(credit > 0 ? credit : LIVE_WINDOW));
        if (cancelled) {
            // cancel() ran while the plain call replaced the batched one
            requestStream.cancel("the client stream is over", null);
        }
    }

    /**
     * The merge let one of our responses go (they go in the order they came, as a collector's
     * times only grow): once a whole batch has gone, the collector may send one more. Credit is
     * returned a quarter of it at a time, since each request() from this thread is a task on the
     * transport's event loop. The collector may still never run more than {@code credit} batches
     * ahead, and cannot stall: with nothing of ours pending in the merge it has at least 3/4 of it
     * left. Called with the merge's lock held.
     */
    void released() {
        if (credit == 0 || cancelled) {
            return;
        }
        Integer oldest = unreleased.peek();
        if (oldest == null || ++releasedOfOldest < oldest) {
            return;
        }
        unreleased.poll();
        releasedOfOldest = 0;
        if (++unrequested >= Math.max(1, window(credit) / 4)) {
            call.request(unrequested);
            unrequested = 0;
        }
    }

    private int window(int batches) {
        return single ? batches * RESPONSES_PER_BATCH : batches;
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
    public void onNext(List<RawResponse> batch) {
        delivered = true;
        if (credit == 0 && ++receivedSinceRequest >= window(LIVE_WINDOW) / 2) {
            call.request(receivedSinceRequest);
            receivedSinceRequest = 0;
        }
        if (batch.isEmpty()) {
            if (credit > 0) {
                call.request(1); // nothing for the merge to release: its credit comes back at once
            }
            return;
        }
        if (credit > 0) {
            unreleased.add(batch.size());
        }
        sink.received(this, batch);
    }

    /*
     * The end of a stream we cancelled is not passed on: the sink has dropped this upstream already,
     * and on a directExecutor channel cancel() may deliver it inline, while the sink iterates its
     * upstreams under its own (reentrant) lock.
     */
    @Override
    public void onError(Throwable t) {
        if (!cancelled && !single && FlowBatchMethod.notServed(t, delivered)) {
            single = true;
            ClientCalls.asyncServerStreamingCall(peer.channel().newCall(RawGetFlows.METHOD, CallOptions.DEFAULT), request,
                    new ClientResponseObserver<GetFlowsRequest, RawResponse>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> c) {
                            Upstream.this.beforeStart(c);
                        }

                        @Override
                        public void onNext(RawResponse r) {
                            Upstream.this.onNext(List.of(r));
                        }

                        @Override
                        public void onError(Throwable e) {
                            Upstream.this.onError(e);
                        }

                        @Override
                        public void onCompleted() {
                            Upstream.this.onCompleted();
                        }
                    });
            return;
        }
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
