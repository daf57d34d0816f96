package dev.flows.relay.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * The time-ordered merge of several per-node streams, each in time order already. The oldest
 * pending response is released as soon as it is known to be the oldest (every open source has
 * something pending, or has finished), or once it has waited the window: a slow node delays the
 * others by at most the window. A response arriving later than that is released in arrival order
 * rather than held back forever.
 *
 * <p>A quiet node (no traffic, or none matching the client's filter) would otherwise hold every
 * flow for the whole window. With a quiet grace, a live source with nothing pending is taken to
 * have nothing older than (wall now − grace) still to come, so the oldest response goes once its
 * own time is that old. A node whose flows reach the relay later than the grace (a busy or distant
 * collector) then has them delivered after newer flows of the others: never dropped, but out of
 * order, as a flow later than the window always was. The grace applies only once every source has
 * been open for the window: a stream just opened (from a since, or again after a failure) may
 * still be sending what its collector held before, and is waited for as without grace.
 *
 * <p>A history (no follow) is merged exactly instead ({@link #exact}): every source ends, so
 * nothing is released until each open source has something pending or has finished. A node
 * slower than the window to answer (a busy machine, a JIT warming up) then delays the history
 * rather than having its older flows delivered after newer flows of the others.
 *
 * <p>Bounded: live responses beyond the capacity are refused (the caller counts them as lost);
 * history responses are always taken, their sources being held back by flow-control credit.
 * Not thread-safe: the call that owns it locks around it.
 */
final class MergeQueue {
    /** A pending response of one source. */
    record Item(Object source, RawResponse response, long timeNanos, long arrivalNanos, long order) implements Comparable<Item> {
        /** By time, then arrival: a plain compare, as the queue runs it twice per response per level. */
        @Override
        public int compareTo(Item o) {
            int c = Long.compare(timeNanos, o.timeNanos);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** No window: release only when the order is known. */
    private static final long EXACT = -1;
    /** No quiet grace: a source with nothing pending is waited for the whole window. */
    private static final long NO_GRACE = -1;

    /** What the merge knows of one source. */
    private static final class Source {
        int pending;
        boolean open;
    }

    private final long windowNanos;
    private final long graceNanos;
    private final LongSupplier wallNanos;
    private final int capacity;
    private final PriorityQueue<Item> pending = new PriorityQueue<>();
    private final Map<Object, Source> sources = new HashMap<>();
    /** Open sources with nothing pending: while there are any, the head's order is not known. */
    private int openIdle;
    private int openCount;
    /** Monotonic time from which the grace applies: the latest source opened has been open for the window. */
    private long graceFromNanos = Long.MIN_VALUE;
    private long order;

    /** A live merge without quiet grace: a response waits at most {@code windowNanos} for older ones of other sources. */
    MergeQueue(long windowNanos, int capacity) {
        this(windowNanos, NO_GRACE, () -> Long.MIN_VALUE, capacity);
    }

    /**
     * A live merge in which a source with nothing pending holds back only responses newer than
     * {@code wallNanos} − {@code graceNanos}.
     */
    MergeQueue(long windowNanos, long graceNanos, LongSupplier wallNanos, int capacity) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("sort window must be >= 0 ns, got " + windowNanos);
        }
        if (graceNanos < 0 && graceNanos != NO_GRACE) {
            throw new IllegalArgumentException("quiet grace must be >= 0 ns, got " + graceNanos);
        }
        this.windowNanos = windowNanos;
        this.graceNanos = graceNanos;
        this.wallNanos = wallNanos;
        this.capacity = capacity;
    }

    private MergeQueue(int capacity) {
        this.windowNanos = EXACT;
        this.graceNanos = NO_GRACE;
        this.wallNanos = () -> Long.MIN_VALUE;
        this.capacity = capacity;
    }

    /** A merge of sources that all end: released in exact time order, however long a source takes. */
    static MergeQueue exact(int capacity) {
        return new MergeQueue(capacity);
    }

    /** A source whose responses are to be merged, opened at {@code nowNanos}; until it is closed, the merge waits for it. */
    void open(Object source, long nowNanos) {
        if (windowed()) {
            graceFromNanos = Math.max(graceFromNanos, nowNanos + windowNanos);
        }
        Source s = sources.computeIfAbsent(source, k -> new Source());
        if (!s.open) {
            s.open = true;
            openCount++;
            if (s.pending == 0) {
                openIdle++;
            }
        }
    }

    /** The source has ended (completed or failed): the merge no longer waits for it. */
    void close(Object source) {
        Source s = sources.get(source);
        if (s == null || !s.open) {
            return;
        }
        s.open = false;
        openCount--;
        if (s.pending == 0) {
            openIdle--;
            sources.remove(source);
        }
    }

    boolean hasOpenSources() {
        return openCount > 0;
    }

    /** Adds a response; false (not added) when {@code droppable} and the queue is full. */
    boolean offer(Object source, RawResponse r, long arrivalNanos, boolean droppable) {
        if (droppable && pending.size() >= capacity) {
            return false;
        }
        pending.add(new Item(source, r, r.timeNanos(), arrivalNanos, order++));
        Source s = sources.computeIfAbsent(source, k -> new Source());
        if (s.pending++ == 0 && s.open) {
            openIdle--;
        }
        return true;
    }

    /** The next response to send at {@code nowNanos} (monotonic), or null if none may go yet. */
    Item poll(long nowNanos) {
        Item head = pending.peek();
        if (head == null || !releasable(head, nowNanos)) {
            return null;
        }
        pending.poll();
        Source s = sources.get(head.source());
        if (--s.pending == 0) {
            if (s.open) {
                openIdle++;
            } else {
                sources.remove(head.source());
            }
        }
        return head;
    }

    /** Moves every response that may go at {@code nowNanos} into {@code into}, at most {@code max}; how many. */
    int pollTo(List<Item> into, long nowNanos, int max) {
        int n = 0;
        Item i;
        while (n < max && (i = poll(nowNanos)) != null) {
            into.add(i);
            n++;
        }
        return n;
    }

    private boolean releasable(Item head, long nowNanos) {
        if (openIdle == 0) {
            return true;
        }
        if (!windowed()) {
            return false;
        }
        return head.arrivalNanos() + windowNanos <= nowNanos
                || graceNanos != NO_GRACE && nowNanos >= graceFromNanos
                        && head.timeNanos() <= wallNanos.getAsLong() - graceNanos;
    }

    /**
     * When (monotonic, given it is {@code nowNanos}) the head may go: once it has waited the window,
     * or its time is the quiet grace old and the grace applies. Long.MAX_VALUE if nothing is pending, or exact.
     */
    long nextDeadline(long nowNanos) {
        Item head = pending.peek();
        if (head == null || !windowed()) {
            return Long.MAX_VALUE;
        }
        long deadline = head.arrivalNanos() + windowNanos;
        if (graceNanos != NO_GRACE) {
            long untilOldEnough = head.timeNanos() + graceNanos - wallNanos.getAsLong();
            deadline = Math.min(deadline, Math.max(graceFromNanos, nowNanos + Math.max(0, untilOldEnough)));
        }
        return deadline;
    }

    private boolean windowed() {
        return windowNanos != EXACT;
    }

    /** Nothing pending and no open source: this merge is over. */
    boolean finished() {
        return pending.isEmpty() && openCount == 0;
    }

    int size() {
        return pending.size();
    }
}
