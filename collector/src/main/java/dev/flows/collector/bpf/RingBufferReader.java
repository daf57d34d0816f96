package dev.flows.collector.bpf;

import com.kenai.jffi.MemoryIO;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/**
 * Reads a BPF ring buffer by mapping its memory and walking the records in Java: no native call
 * per event (a jnr callback per event is ~30x slower and loses events, see
 * shared/notes/bpf-from-java.md).
 *
 * <p>The kernel's protocol: the consumer position page is mapped read-write at offset 0; the
 * producer position page and the data area follow read-only at offset page size, the data area
 * mapped twice back to back so a record that wraps reads contiguously. Each record has an 8-byte
 * header (length with BUSY and DISCARD bits) and is padded to 8 bytes. Positions and headers are
 * read with acquire and the consumer position stored with release ordering.
 *
 * <p>One thread drains. The reader does not own the map fds: the {@link Datapath} that made it
 * must stay open while it is used.
 */
public final class RingBufferReader implements EventSource {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int BUSY = 1 << 31;
    private static final int DISCARD = 1 << 30;
    private static final int HEADER = 8;
    /** Publishing the consumer position lets the kernel reuse space; every record would cost a store fence. */
    private static final int PUBLISH_EVERY = 1000;

    private final LibC c = Native.c();
    private final int lostFd;
    private final int pageSize;
    private final long mask;
    private final long consumerAddr;
    private final long producerAddr;
    private final long producerLength;
    private final ByteBuffer consumer;
    private final ByteBuffer producer;
    private final ByteBuffer data;
    private final int epollFd;
    private final Pointer epollEvents = Native.alloc(NativeLayout.EPOLL_EVENT_SIZE);
    private final Pointer lostKey = Native.alloc(4);
    private final Pointer lostValue = Native.alloc(8);
    private final long lostAtOpen;
    private long lastLost;
    private boolean closed;

    RingBufferReader(int ringFd, int ringBytes, int lostFd) {
        this.lostFd = lostFd;
        this.pageSize = Native.pageSize();
        this.mask = ringBytes - 1L;
        this.consumerAddr = map(ringFd, pageSize, LibC.PROT_READ | LibC.PROT_WRITE, 0, "consumer page");
        this.producerLength = pageSize + 2L * ringBytes;
        long p;
        try {
            p = map(ringFd, producerLength, LibC.PROT_READ, pageSize, "producer page and data");
        } catch (RuntimeException e) {
            c.munmap(Pointer.wrap(Native.runtime(), consumerAddr), pageSize);
            throw e;
        }
        this.producerAddr = p;
        MemoryIO io = MemoryIO.getInstance();
        this.consumer = io.newDirectByteBuffer(consumerAddr, pageSize).order(ByteOrder.nativeOrder());
        this.producer = io.newDirectByteBuffer(producerAddr, pageSize).order(ByteOrder.nativeOrder()).asReadOnlyBuffer();
        this.data = io.newDirectByteBuffer(producerAddr + pageSize, 2 * ringBytes)
                .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
        this.epollFd = c.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (epollFd < 0) {
            unmap();
            throw new BpfException("epoll_create1: " + Native.strerror(Native.errno()), Native.errno());
        }
        Pointer ev = Native.alloc(NativeLayout.EPOLL_EVENT_SIZE);
        ev.putInt(0, LibC.EPOLLIN);
        if (c.epoll_ctl(epollFd, LibC.EPOLL_CTL_ADD, ringFd, ev) < 0) {
            int errno = Native.errno();
            close();
            throw new BpfException("epoll_ctl on ring fd: " + Native.strerror(errno), errno);
        }
        this.lostAtOpen = readLost();
        this.lastLost = lostAtOpen;
    }

    private long map(int fd, long length, int prot, long offset, String what) {
        Pointer mapping = c.mmap(null, length, prot, LibC.MAP_SHARED, fd, offset);
        long addr = mapping == null ? LibC.MAP_FAILED : mapping.address();
        if (addr == LibC.MAP_FAILED || addr == 0) {
            int errno = Native.errno();
            throw new BpfException("mmap of ring " + what + ": " + Native.strerror(errno), errno);
        }
        return addr;
    }

    @Override
    public int drain(RecordHandler handler) {
        long cons = (long) LONGS.getAcquire(consumer, 0);
        long prod = (long) LONGS.getAcquire(producer, 0);
        int count = 0;
        int unpublished = 0;
        while (cons < prod) {
            int offset = (int) (cons & mask);
            int header = (int) INTS.getAcquire(data, offset);
            if ((header & BUSY) != 0) {
                break; // reserved but not yet submitted: records after it wait for it
            }
            int length = header & ~(BUSY | DISCARD);
            if ((header & DISCARD) == 0) {
                handler.onRecord(data, offset + HEADER, length);
                count++;
            }
            cons += (length + HEADER + 7) & ~7L;
            if (++unpublished == PUBLISH_EVERY) {
                LONGS.setRelease(consumer, 0, cons);
                unpublished = 0;
            }
        }
        LONGS.setRelease(consumer, 0, cons);
        return count;
    }

    /** Bytes submitted or reserved but not consumed yet. */
    @Override
    public long pendingBytes() {
        return (long) LONGS.getAcquire(producer, 0) - (long) LONGS.getAcquire(consumer, 0);
    }

    @Override
    public void awaitData(long timeoutMillis) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        // level-triggered: returns at once while records are pending, whatever the wakeup policy
        c.epoll_wait(epollFd, epollEvents, 1, (int) Math.min(timeoutMillis, Integer.MAX_VALUE));
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public long kernelLost() {
        return readLost() - lostAtOpen;
    }

    private long readLost() {
        if (!closed && Native.bpf().bpf_map_lookup_elem(lostFd, lostKey, lostValue) == 0) {
            lastLost = lostValue.getLong(0);
        }
        return lastLost;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (epollFd >= 0) {
            c.close(epollFd);
        }
        unmap();
    }

    private void unmap() {
        c.munmap(Pointer.wrap(Native.runtime(), consumerAddr), pageSize);
        c.munmap(Pointer.wrap(Native.runtime(), producerAddr), producerLength);
    }
}
