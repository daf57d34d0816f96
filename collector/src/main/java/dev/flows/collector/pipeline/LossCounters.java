package dev.flows.collector.pipeline;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Events lost at each stage of the collector, so the API and metrics can say where loss happens
 * and which setting to raise: the kernel ring (raise the ring size), the raw queue (raise the
 * queue capacity or give the processing thread a core), decoding (a collector and BPF objects out
 * of step), and readers overrun by the flow buffer (raise the buffer capacity or read faster).
 * In datapath mode also the service connections whose backend's node could not name their
 * service: not an event lost, but a name a flow lacks.
 */
public final class LossCounters {
    private final LongSupplier kernelRing;
    private final LongSupplier rawQueue;
    private final LongSupplier decodeErrors;
    private final LongSupplier servicesUnnamed;
    private final AtomicLong readerOverrun = new AtomicLong();

    /** Each supplier returns a monotonic count owned by its stage. */
    public LossCounters(LongSupplier kernelRing, LongSupplier rawQueue, LongSupplier decodeErrors) {
        this(kernelRing, rawQueue, decodeErrors, null);
    }

    /** As above; servicesUnnamed is the datapath's count (null when the datapath translates nothing). */
    public LossCounters(LongSupplier kernelRing, LongSupplier rawQueue, LongSupplier decodeErrors, LongSupplier servicesUnnamed) {
        this.kernelRing = kernelRing;
        this.rawQueue = rawQueue;
        this.decodeErrors = decodeErrors;
        this.servicesUnnamed = servicesUnnamed;
    }

    /** Counters that all read zero: for tests and tools without a kernel. */
    public static LossCounters none() {
        return new LossCounters(() -> 0, () -> 0, () -> 0);
    }

    public long kernelRing() {
        return kernelRing.getAsLong();
    }

    public long rawQueue() {
        return rawQueue.getAsLong();
    }

    public long decodeErrors() {
        return decodeErrors.getAsLong();
    }

    /** Whether {@link #servicesUnnamed()} is counted (datapath mode). */
    public boolean countsServices() {
        return servicesUnnamed != null;
    }

    /** Service connections the backend's node could not name (ServiceOptionCounters.unnamed); 0 when not counted. */
    public long servicesUnnamed() {
        return servicesUnnamed == null ? 0 : servicesUnnamed.getAsLong();
    }

    /** Entries that readers (GetFlows calls) missed because the buffer overwrote them first. */
    public long readerOverrun() {
        return readerOverrun.get();
    }

    public void addReaderOverrun(long n) {
        readerOverrun.addAndGet(n);
    }

    @Override
    public String toString() {
        return "lost: kernel ring " + kernelRing() + ", raw queue " + rawQueue() + ", decode errors "
                + decodeErrors() + ", reader overrun " + readerOverrun();
    }
}
