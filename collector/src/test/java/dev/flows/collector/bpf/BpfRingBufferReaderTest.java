package dev.flows.collector.bpf;

import static dev.flows.collector.bpf.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.collector.decode.EventLayout;
import dev.flows.testing.BpfGate;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The mapped reader against the kernel's producer: wrap-around, positions and wakeups. */
@Tag("bpf")
class BpfRingBufferReaderTest {
    private Path pins;
    private Datapath dp;
    private RingBufferReader reader;

    @BeforeEach
    void gate() {
        BpfGate.require();
        pins = TestPins.newDir();
    }

    @AfterEach
    void unload() {
        if (reader != null) reader.close();
        if (dp != null) dp.close();
        Datapath.removePins(pins);
    }

    private void open(BpfConfig config) {
        dp = Datapath.open(pins, 4096, config.withAggregationLevel(BpfConfig.AGG_NONE));
        reader = dp.openReader();
    }

    @Test
    void recordsThatWrapAroundTheRingReadWhole() {
        open(BpfConfig.DEFAULTS);
        long read = 0;
        for (int i = 0; i < 500; i++) { // 500 x 112 bytes: the 4 KiB ring wraps 13 times
            dp.testRun("from_pod", udp("10.244.8.1", 20000 + i, "10.244.8.2", 53, i % 50), 1);
            if (i % 7 == 6) {
                List<TraceEvent> events = TraceEvent.drain(reader);
                for (int k = 0; k < events.size(); k++) {
                    assertEquals(20000 + read + k, events.get(k).sport(), "in order, none torn");
                    assertEquals(EventLayout.TRACE_SIZE, events.get(k).len());
                }
                read += events.size();
                assertEquals(0, reader.pendingBytes(), "the consumer position is published after each drain");
            }
        }
        read += TraceEvent.drain(reader).size();
        assertEquals(500, read);
        assertEquals(0, reader.kernelLost());
    }

    @Test
    void wakeupBytesZeroWakesTheReaderAtOnce() throws Exception {
        open(BpfConfig.DEFAULTS.withWakeupBytes(0));
        assertTrue(waitedMillis(5000) < 2500, "woken by the event, not by the 5 s timeout");
    }

    @Test
    void belowTheWatermarkTheReaderSleepsUntilItsTimeout() throws Exception {
        open(BpfConfig.DEFAULTS); // 64 KiB watermark: one event does not wake
        assertTrue(waitedMillis(400) >= 350, "no wakeup below the watermark");
        assertEquals(1, TraceEvent.drain(reader).size(), "the event is there for the timed drain");
    }

    @Test
    void crossingTheWatermarkWakesTheReader() throws Exception {
        // Every packet an event of 152 bytes, 160 in the ring: six fill 960 bytes, the seventh crosses 1024.
        open(BpfConfig.DEFAULTS.withAggregationLevel(BpfConfig.AGG_NONE).withWakeupBytes(1024));
        for (int i = 0; i < 6; i++) {
            dp.testRun("from_pod", udp("10.244.8.3", 20000, "10.244.8.4", 53, 1), 1);
        }
        assertTrue(waitedMillis(5000) < 2500, "woken when the backlog crossed the watermark");
        assertEquals(7, TraceEvent.drain(reader).size());
    }

    /** Starts awaitData(timeout) on another thread, produces one event, returns how long it waited. */
    private long waitedMillis(long timeout) throws Exception {
        CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                reader.awaitData(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        });
        Thread.sleep(100); // let it block in epoll_wait first
        dp.testRun("from_pod", udp("10.244.8.3", 20000, "10.244.8.4", 53, 1), 1);
        return waited.get(10, TimeUnit.SECONDS);
    }
}
