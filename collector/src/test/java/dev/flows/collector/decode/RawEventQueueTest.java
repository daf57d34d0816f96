package dev.flows.collector.decode;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RawEventQueueTest {
    private static ByteBuffer rec(int id, int len) {
        ByteBuffer b = ByteBuffer.allocate(len).order(java.nio.ByteOrder.nativeOrder());
        b.putInt(0, id);
        return b;
    }

    @Test
    void fifoAndDropsWhenFull() {
        RawEventQueue q = new RawEventQueue(4, 64);
        for (int i = 0; i < 4; i++) {
            assertTrue(q.offer(rec(i, 32), 0, 32));
        }
        assertFalse(q.offer(rec(9, 32), 0, 32), "full queue refuses without blocking");
        assertEquals(1, q.dropped());
        List<Integer> got = new ArrayList<>();
        assertEquals(4, q.drain((buf, off, len) -> {
            assertEquals(32, len);
            got.add(buf.getInt(off));
        }, 100));
        assertEquals(List.of(0, 1, 2, 3), got);
        assertTrue(q.isEmpty());
        assertTrue(q.offer(rec(5, 32), 0, 32), "space is reused after draining");
    }

    @Test
    void oversizedRecordIsCountedAsDropped() {
        RawEventQueue q = new RawEventQueue(4, 64);
        assertFalse(q.offer(rec(1, 65), 0, 65));
        assertEquals(1, q.dropped());
    }

    @Test
    void rejectsBadCapacityNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RawEventQueue(1000, 128));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void producerThreadWakesConsumer() throws Exception {
        RawEventQueue q = new RawEventQueue(1024, 64);
        int n = 100_000;
        Thread producer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                while (!q.offer(rec(i, 8), 0, 8)) {
                    Thread.onSpinWait();
                }
            }
        });
        producer.start();
        int[] expected = {0};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (expected[0] < n && System.nanoTime() < deadline) {
            if (q.drain((buf, off, len) -> assertEquals(expected[0]++, buf.getInt(off)), 256) == 0) {
                q.await(10, TimeUnit.MILLISECONDS);
            }
        }
        producer.join();
        assertEquals(n, expected[0]);
    }
}
