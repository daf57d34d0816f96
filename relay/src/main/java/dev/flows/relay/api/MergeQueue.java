package dev.flows.relay.api;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.observer.GetFlowsResponse;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The time-ordered merge of several per-node streams, each in time order already. The oldest
 * pending response is released as soon as it is known to be the oldest (every open source has
 * something pending, or has finished), or once it has waited the window: a quiet or slow node
 * delays the others by at most the window. A response arriving later than that is released in
 * arrival order rather than held back forever.
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
    record Item(Object source, GetFlowsResponse response, long timeNanos, long arrivalNanos, long order) {}

    /** No window: release only when the order is known. */
    private static final long EXACT = -1;

    private final long windowNanos;
    private final int capacity;
    private final PriorityQueue<Item> pending = new PriorityQueue<>(
            Comparator.comparingLong(Item::timeNanos).thenComparingLong(Item::order));
    private final Map<Object, Integer> pendingBySource = new HashMap<>();
    private final Map<Object, Boolean> open = new HashMap<>();
    private long order;

    /** A live merge: a response waits at most {@code windowNanos} for older ones of other sources. */
    MergeQueue(long windowNanos, int capacity) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("sort window must be >= 0 ns, got " + windowNanos);
        }
        this.windowNanos = windowNanos;
        this.capacity = capacity;
    }

    private MergeQueue(int capacity) {
        this.windowNanos = EXACT;
        this.capacity = capacity;
    }

    /** A merge of sources that all end: released in exact time order, however long a source takes. */
    static MergeQueue exact(int capacity) {
        return new MergeQueue(capacity);
    }

    /** A source whose responses are to be merged; until it is closed, the merge waits for it. */
    void open(Object source) {
        open.put(source, Boolean.TRUE);
        pendingBySource.putIfAbsent(source, 0);
    }

    /** The source has ended (completed or failed): the merge no longer waits for it. */
    void close(Object source) {
        open.remove(source);
    }

    boolean hasOpenSources() {
        return !open.isEmpty();
    }

    /** Adds a response; false (not added) when {@code droppable} and the queue is full. */
    boolean offer(Object source, GetFlowsResponse r, long arrivalNanos, boolean droppable) {
        if (droppable && pending.size() >= capacity) {
            return false;
        }
        pending.add(new Item(source, r, timeNanos(r), arrivalNanos, order++));
        pendingBySource.merge(source, 1, Integer::sum);
        return true;
    }

    /** The next response to send at {@code nowNanos}, or null if none may go yet. */
    Item poll(long nowNanos) {
        Item head = pending.peek();
        if (head == null || !(everyOpenSourcePending() || windowed() && head.arrivalNanos() + windowNanos <= nowNanos)) {
            return null;
        }
        pending.poll();
        pendingBySource.merge(head.source(), -1, Integer::sum);
        return head;
    }

    /** When the head will have waited the window (Long.MAX_VALUE if nothing is pending, or exact). */
    long nextDeadline() {
        Item head = pending.peek();
        return head == null || !windowed() ? Long.MAX_VALUE : head.arrivalNanos() + windowNanos;
    }

    private boolean windowed() {
        return windowNanos != EXACT;
    }

    /** Nothing pending and no open source: this merge is over. */
    boolean finished() {
        return pending.isEmpty() && open.isEmpty();
    }

    int size() {
        return pending.size();
    }

    private boolean everyOpenSourcePending() {
        for (Object s : open.keySet()) {
            if (pendingBySource.getOrDefault(s, 0) == 0) {
                return false;
            }
        }
        return true;
    }

    /** A flow's own time; anything else (a loss notice) by the time of the response. */
    static long timeNanos(GetFlowsResponse r) {
        return Timestamps.toNanos(r.hasFlow() ? r.getFlow().getTime() : r.getTime());
    }
}
