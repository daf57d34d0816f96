package dev.flows.bench;

import dev.flows.collector.bpf.RecordHandler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A bounded queue of raw records in fixed-size slots of one byte array: the copy out of the ring
 * that any buffering stage needs, without allocation per record. A full queue or an oversized
 * record drops and counts, never blocks (STYLE 7).
 *
 * <p>Not thread-safe: stage 5 measures the cost of the copy on one core, not a hand-off.
 */
final class SlotQueue {
    private final byte[] slots;
    private final int[] lengths;
    private final int slotBytes;
    private final ByteBuffer view;
    private long head; // next to take
    private long tail; // next to fill
    private long dropped;

    SlotQueue(int capacity, int slotBytes) {
        if (capacity < 1 || slotBytes < 1) {
            throw new IllegalArgumentException("capacity and slot size must be positive, got " + capacity + " x " + slotBytes);
        }
        this.slots = new byte[Math.multiplyExact(capacity, slotBytes)];
        this.lengths = new int[capacity];
        this.slotBytes = slotBytes;
        this.view = ByteBuffer.wrap(slots).order(ByteOrder.nativeOrder());
    }

    /** Copies the record into the next slot; false (and counted) when full or larger than a slot. */
    boolean offer(ByteBuffer src, int offset, int length) {
        if (tail - head == lengths.length || length > slotBytes) {
            dropped++;
            return false;
        }
        int slot = (int) (tail++ % lengths.length);
        src.get(offset, slots, slot * slotBytes, length);
        lengths[slot] = length;
        return true;
    }

    /** Hands every queued record to the handler in order and empties the queue; returns the count. */
    int drain(RecordHandler handler) {
        int n = 0;
        for (; head < tail; head++, n++) {
            int slot = (int) (head % lengths.length);
            handler.onRecord(view, slot * slotBytes, lengths[slot]);
        }
        return n;
    }

    int size() {
        return (int) (tail - head);
    }

    int capacity() {
        return lengths.length;
    }

    long dropped() {
        return dropped;
    }
}
