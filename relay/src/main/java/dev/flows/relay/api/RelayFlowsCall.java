package dev.flows.relay.api;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.filter.Trim;
import dev.flows.observer.wire.StreamLimits;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.relay.NodeState;
import dev.flows.relay.peers.Peer;
import dev.flows.relay.peers.PeerListener;
import dev.flows.relay.peers.PeerPool;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client's GetFlows through the relay, run on its own thread. Node state comes first
 * (NODE_CONNECTED, NODE_UNAVAILABLE), then the merged flows of every connected collector.
 *
 * <p>History is merged in exact time order (each collector's stream ends, so the merge can wait
 * for every one); live flows within the sort window.
 *
 * <p>History and follow: with follow and a number or since, history is asked up to T = now −
 * window and trimmed to number across the cluster, then live flows from T + 1 ns: the window has
 * let every collector buffer the flows up to T, so the two halves neither overlap nor leave a gap.
 * While following, a collector that fails is announced (NODE_ERROR) and the stream goes on; when
 * it is back it is announced (NODE_CONNECTED) and followed again from its last flow sent. "Back" is
 * either the pool's health check seeing it return, or our own retry of its stream (with backoff,
 * while the pool still calls it connected) delivering again: a collector restarted within one
 * health interval never looks unavailable to the pool, so waiting for the pool alone would lose it
 * for the rest of the stream.
 */
final class RelayFlowsCall implements Runnable, PeerListener, Upstream.Sink {
    /**
     * Batches a collector may send ahead of the merge while history is read: at most 8 x 64 KiB of
     * responses (a few thousand flows) per collector.
     */
    static final int HISTORY_CREDIT = 8;
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Responses taken from the merge per lock round, then sent outside the lock. */
    static final int BATCH = 256;

    private final GetFlowsRequest req;
    private final PeerPool pool;
    private final RelayClock clock;
    private final long windowNanos;
    private final long quietGraceNanos;
    private final RelayLosses losses;
    private final Outbound outbound;
    private final ServerCallStreamObserver<?> out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final NodeNotices notices;
    private final Map<String, Upstream> upstreams = new HashMap<>();
    /** The last flow time of each collector whose live stream ended: where to follow it again from. */
    private final Map<String, Long> lastFlowNanos = new HashMap<>();
    /** Live streams that failed while their peer stayed connected: when to open them again. */
    private final LiveRetries retries = new LiveRetries();
    private final int capacity;
    private MergeQueue merge;
    private GetFlowsRequest live;
    private long liveSince;
    /** The sending thread waits on {@link #changed}: only then does an arriving response signal it. */
    private boolean waiting;

    RelayFlowsCall(GetFlowsRequest req, PeerPool pool, RelayClock clock, long windowNanos, long quietGraceNanos,
            int capacity, RelayLosses losses, Outbound outbound) {
        this.req = req;
        this.pool = pool;
        this.clock = clock;
        this.windowNanos = windowNanos;
        this.quietGraceNanos = quietGraceNanos;
        this.capacity = capacity;
        this.losses = losses;
        this.outbound = outbound;
        this.out = outbound.call();
        this.notices = new NodeNotices(clock::wallNanos);
        out.setOnReadyThreshold(StreamLimits.ON_READY_THRESHOLD_BYTES);
        out.setOnReadyHandler(this::signal);
        out.setOnCancelHandler(this::signal);
    }

    @Override
    public void run() {
        try {
            // Taken before any notice: a client that saw NODE_CONNECTED sees every flow from then on.
            long start = clock.wallNanos();
            List<Peer> connected = new ArrayList<>();
            List<String> unavailable = new ArrayList<>();
            for (Peer p : pool.peers()) {
                if (p.connected()) {
                    connected.add(p);
                } else {
                    unavailable.add(p.name());
                }
            }
            lock.lock();
            try {
                if (!connected.isEmpty()) {
                    notices.node(NodeState.NODE_CONNECTED, connected.stream().map(Peer::name).toList(), "");
                }
                if (!unavailable.isEmpty()) {
                    notices.node(NodeState.NODE_UNAVAILABLE, unavailable, "");
                }
            } finally {
                lock.unlock();
            }
            if (req.getFollow()) {
                pool.addListener(this);
                follow(connected, start);
            } else {
                history(req, connected);
            }
            if (!out.isCancelled()) {
                outbound.flush();
                out.onCompleted();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!out.isCancelled()) {
                out.onError(Status.CANCELLED.withDescription("relay shutting down").asRuntimeException());
            }
        } catch (IllegalStateException e) {
            // The client cancelled between our check and the send: nothing to tell.
        } finally {
            pool.removeListener(this);
            lock.lock();
            try {
                upstreams.values().forEach(Upstream::cancel);
            } finally {
                lock.unlock();
            }
        }
    }

    private void follow(List<Peer> connected, long now) throws InterruptedException {
        if (req.getNumber() == 0 && !req.hasSince()) {
            // Only new flows, as a collector does, but new since the client asked, not since each
            // collector's stream opened: those differ by a round trip (more with a new TLS session),
            // and a flow in between was neither history nor live. A collector joining later is read
            // from then on.
            startLive(req.toBuilder().setSince(Timestamps.fromNanos(now)).build(), now, connected);
            return;
        }
        long t = now - windowNanos;
        long until = req.hasUntil() ? Math.min(Timestamps.toNanos(req.getUntil()), t) : t;
        history(req.toBuilder().setFollow(false).setUntil(Timestamps.fromNanos(until)).build(), connected);
        if (until == t && !out.isCancelled()) {
            long since = Math.max(req.hasSince() ? Timestamps.toNanos(req.getSince()) : Long.MIN_VALUE, t + 1);
            startLive(req.toBuilder().setNumber(0).setSince(Timestamps.fromNanos(since)).build(), since, pool.peers());
        }
    }

    private void history(GetFlowsRequest request, List<Peer> peers) throws InterruptedException {
        Trim<RawResponse> trim = new Trim<>(request.getNumber(), request.getFirst(), RawResponse::isFlow, outbound::send);
        lock.lock();
        try {
            merge = MergeQueue.exact(capacity);
            for (Peer p : peers) {
                open(p, request, HISTORY_CREDIT);
            }
        } finally {
            lock.unlock();
        }
        if (drain(trim)) {
            trim.finish();
            outbound.flush();
        }
        lock.lock();
        try {
            upstreams.values().forEach(Upstream::cancel);
            upstreams.clear();
        } finally {
            lock.unlock();
        }
    }

    private void startLive(GetFlowsRequest request, long since, List<Peer> peers) throws InterruptedException {
        lock.lock();
        try {
            merge = new MergeQueue(windowNanos, quietGraceNanos, clock::wallNanos, capacity);
            live = request;
            liveSince = since;
            for (Peer p : peers) {
                if (p.connected()) {
                    open(p, request, 0);
                }
            }
        } finally {
            lock.unlock();
        }
        drain(new Trim<>(0, false, RawResponse::isFlow, outbound::send));
    }

    /** Called with the lock held. */
    private Upstream open(Peer p, GetFlowsRequest request, int credit) {
        retries.opened(p.address());
        Upstream u = new Upstream(p, credit, this);
        upstreams.put(p.address(), u);
        merge.open(u, clock.monoNanos());
        u.start(request);
        return u;
    }

    /** The live request for a collector followed again: from its last flow sent on. Lock held. */
    private GetFlowsRequest refollow(Peer peer) {
        Long last = lastFlowNanos.get(peer.address());
        long since = Math.max(liveSince, last == null ? Long.MIN_VALUE : last + 1);
        GetFlowsRequest.Builder b = live.toBuilder();
        if (since != Long.MIN_VALUE) {
            b.setSince(Timestamps.fromNanos(since));
        }
        return b.build();
    }

    /** Opens the failed live streams whose time has come; lock held. The earliest one left, or MAX_VALUE. */
    private long reopenDue(long now) {
        List<Peer> due = new ArrayList<>();
        long next = retries.takeDue(now, due);
        for (Peer p : due) {
            // Not connected: the pool announces it when it is back, and it is followed then.
            if (p.connected() && !upstreams.containsKey(p.address())) {
                // The channel's own reconnect backoff (up to 2 min) would fail this call at once.
                p.channel().resetConnectBackoff();
                open(p, refollow(p), 0).announceOnDelivery();
            }
        }
        return next;
    }

    /**
     * Sends notices and merged responses as flow control allows, until the merge is over (history),
     * the follow's until has passed, the trim wants no more, or the client is gone. True if the
     * merge ran to its end. Everything that may go is taken in one lock round and sent outside it,
     * so the collectors' transport threads offering to the merge are not held up by the sending.
     */
    private boolean drain(Trim<RawResponse> trim) throws InterruptedException {
        List<RawResponse> batch = new ArrayList<>(BATCH + 16);
        while (true) {
            int own;
            lock.lock();
            try {
                own = nextBatch(batch);
                if (own < 0) {
                    return !out.isCancelled() && merge.finished();
                }
            } finally {
                lock.unlock();
            }
            // The relay's own notices straight out; merged responses through the trim.
            for (int i = 0; i < batch.size(); i++) {
                if (i < own) {
                    outbound.send(batch.get(i));
                } else if (!trim.accept(batch.get(i))) {
                    outbound.flush();
                    return false;
                }
            }
            outbound.flush();
            batch.clear();
        }
    }

    /**
     * Waits (lock held) until something may be sent and puts it into {@code batch}: the relay's
     * notices first, then what the merge releases. Returns how many of them are notices, or -1 when
     * this phase is over.
     */
    private int nextBatch(List<RawResponse> batch) throws InterruptedException {
        List<MergeQueue.Item> items = new ArrayList<>();
        while (!out.isCancelled()) {
            if (!out.isReady()) {
                await(WAIT_NANOS);
                continue;
            }
            notices.drainTo(batch);
            int noticeCount = batch.size();
            long now = clock.monoNanos();
            merge.pollTo(items, now, BATCH);
            for (MergeQueue.Item item : items) {
                ((Upstream) item.source()).released();
                batch.add(item.response());
            }
            if (!batch.isEmpty()) {
                return noticeCount;
            }
            if (live == null ? merge.finished() : untilPassed() && merge.finished()) {
                return -1;
            }
            long deadline = Math.min(merge.nextDeadline(now), reopenDue(now));
            long wait = deadline == Long.MAX_VALUE ? WAIT_NANOS : Math.min(WAIT_NANOS, deadline - now);
            await(Math.max(1_000_000L, wait));
        }
        return -1;
    }

    private void await(long nanos) throws InterruptedException {
        waiting = true;
        try {
            changed.awaitNanos(nanos);
        } finally {
            waiting = false;
        }
    }

    private boolean untilPassed() {
        return req.hasUntil() && clock.wallNanos() > Timestamps.toNanos(req.getUntil());
    }

    @Override
    public void received(Upstream from, List<RawResponse> batch) {
        lock.lock();
        try {
            if (from.cancelled()) {
                return;
            }
            for (RawResponse r : batch) {
                receivedOne(from, r);
            }
            // On the collector's transport thread: wake the sender only if it sleeps.
            if (waiting) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lock held. */
    private void receivedOne(Upstream from, RawResponse r) {
        if (r.kind() == RawResponse.Kind.MALFORMED) {
            // Not passed on (the client would fail its whole stream on it), and not silent;
            // its credit goes back as if the merge had let it go.
            losses.addDecodeErrors(1);
            from.released();
            return;
        }
        if (from.takeAnnouncement()) {
            notices.node(NodeState.NODE_CONNECTED, List.of(from.peer().name()), "");
            retries.recovered(from.peer().address());
        }
        if (r.isFlow()) {
            from.lastFlowNanos = r.timeNanos();
        }
        // Only live flows may be dropped (and are then counted and reported). A collector's
        // own loss notice stands for many events: dropping it would turn them into one, or
        // hide them; notices are rare and small, so they always get through.
        if (!merge.offer(from, r, clock.monoNanos(), live != null && r.isFlow())) {
            notices.droppedFlow();
            losses.addClientQueueDrops(1);
        }
    }

    @Override
    public void ended(Upstream from, Throwable error) {
        lock.lock();
        try {
            merge.close(from);
            upstreams.remove(from.peer().address(), from);
            if (from.lastFlowNanos != Long.MIN_VALUE) {
                lastFlowNanos.put(from.peer().address(), from.lastFlowNanos);
            }
            // A retry that never delivered was not announced as back: its failure is no news.
            boolean wasAnnounced = !from.takeAnnouncement();
            if (error != null && !from.cancelled()) {
                if (wasAnnounced) {
                    notices.node(NodeState.NODE_ERROR, List.of(from.peer().name()),
                            from.peer().name() + ": " + Status.fromThrowable(error).getCode() + " "
                                    + Status.fromThrowable(error).getDescription());
                }
                if (live != null && !out.isCancelled()) {
                    retries.failed(from.peer(), clock.monoNanos());
                }
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Pool events while following: announce them, and follow a collector that is back. */
    @Override
    public void changed(Peer peer, NodeState state, String message) {
        lock.lock();
        try {
            if (live == null) {
                return;
            }
            notices.node(state, List.of(peer.name()), message);
            Upstream current = upstreams.get(peer.address());
            if (state != NodeState.NODE_CONNECTED) {
                // Down or gone: the pool tells us when it is back; our retries would only fail.
                retries.forget(peer.address());
            } else if (current == null) {
                retries.recovered(peer.address());
                open(peer, refollow(peer), 0);
            } else {
                current.takeAnnouncement(); // the pool's notice just said it
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }
}
