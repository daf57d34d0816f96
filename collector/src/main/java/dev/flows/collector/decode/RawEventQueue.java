package dev.flows.collector.decode;

import dev.flows.collector.bpf.RecordHandler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded single-producer single-consumer queue of raw event records between the ring reader
 * and the processing thread.
 *
 * <p>Slots are fixed-size and preallocated, so offering copies bytes and allocates nothing.
 * {@link #offer} never blocks: when the queue is full (or a record is larger than a slot) it
 * counts a drop and returns false, so a slow pipeline loses events here, counted, instead of
 * stalling the kernel ring. If drops show up, raise the queue capacity.
 */
public final class RawEventQueue {
    /** Default slot size: the largest record flows_event.h defines, rounded up to 8 bytes. */
    public static final int DEFAULT_SLOT_SIZE = (Math.max(EventLayout.TRACE_SIZE, EventLayout.DROP_SIZE) + 7) & ~7;

    private final int capacity;
    private final int mask;
    private final int slotSize;
    private final ByteBuffer slots;
    private final int[] lengths;

    private final AtomicLong head = new AtomicLong(); // next slot to read, written by the consumer
    private final AtomicLong tail = new AtomicLong(); // next slot to write, written by the producer
    private final AtomicLong dropped = new AtomicLong();
    private long headCache; // producer's last view of head
    private volatile Thread waiter;

    /**
     * @param capacity number of slots, a power of two
     * @param slotSize bytes per slot: the largest record accepted
     */
    public RawEventQueue(int capacity, int slotSize) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(
                    "raw event queue capacity must be a power of two >= 2, got " + capacity);
        }
        if (slotSize < EventLayout.HDR_SIZE) {
            throw new IllegalArgumentException(
                    "raw event queue slot size must be >= " + EventLayout.HDR_SIZE + ", got " + slotSize);
        }
        long bytes = (long) capacity * slotSize;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "raw event queue of " + capacity + " slots of " + slotSize + " bytes is larger than 2 GiB");
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slotSize = slotSize;
        this.slots = ByteBuffer.allocate((int) bytes).order(ByteOrder.nativeOrder());
        this.lengths = new int[capacity];
    }

    /** Copies the record into a free slot; false (and a counted drop) when full or oversized. */
    public boolean offer(ByteBuffer buf, int off, int len) {
        long t = tail.get();
        if (len > slotSize || len < 0) {
            dropped.lazySet(dropped.get() + 1);
            return false;
        }
        if (t - headCache >= capacity) {
            headCache = head.get();
            if (t - headCache >= capacity) {
                dropped.lazySet(dropped.get() + 1);
                return false;
            }
        }
        int slot = (int) (t & mask);
        slots.put(slot * slotSize, buf, off, len);
        lengths[slot] = len;
        tail.lazySet(t + 1);
        // Without a full fence here the consumer may miss this wake-up and sleep out its await
        // timeout; that bounds latency, and keeps the per-event cost of offer to plain stores.
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        return true;
    }

    /** Hands at most {@code max} records to the handler, oldest first. Consumer thread only. */
    public int drain(RecordHandler handler, int max) {
        long h = head.get();
        long available = tail.get() - h;
        int n = (int) Math.min(available, max);
        for (int i = 0; i < n; i++) {
            int slot = (int) ((h + i) & mask);
            try {
                handler.onRecord(slots, slot * slotSize, lengths[slot]);
            } finally {
                head.lazySet(h + i + 1);
            }
        }
        return n;
    }

    /** Waits until a record may be available or the timeout passes. Consumer thread only. */
    public void await(long timeout, TimeUnit unit) throws InterruptedException {
        waiter = Thread.currentThread();
        try {
            if (isEmpty()) {
                LockSupport.parkNanos(this, unit.toNanos(timeout));
            }
        } finally {
            waiter = null;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    public boolean isEmpty() {
        return tail.get() == head.get();
    }

    public int size() {
        return (int) (tail.get() - head.get());
    }

    public int capacity() {
        return capacity;
    }

    /** Records refused since creation (queue full or record larger than a slot); monotonic. */
    public long dropped() {
        return dropped.get();
    }
}
