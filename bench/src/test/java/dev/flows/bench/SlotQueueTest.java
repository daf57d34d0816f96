package dev.flows.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stand-in buffer of stage 5: copies in order, wraps, and counts what it drops. */
class SlotQueueTest {
    private static final ByteBuffer SRC = ByteBuffer.wrap(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});

    @Test
    void recordsComeOutInOrderAcrossTheWrap() {
        SlotQueue q = new SlotQueue(2, 4);
        List<String> seen = new ArrayList<>();
        for (int round = 0; round < 3; round++) { // 6 records through 2 slots
            assertTrue(q.offer(SRC, round, 2));
            assertTrue(q.offer(SRC, round + 5, 3));
            assertEquals(2, q.drain((b, off, len) -> seen.add(b.get(off) + "+" + len)));
        }
        assertEquals(List.of("0+2", "5+3", "1+2", "6+3", "2+2", "7+3"), seen);
        assertEquals(0, q.size());
        assertEquals(0, q.dropped());
    }

    @Test
    void aFullQueueOrAnOversizedRecordDropsAndCounts() {
        SlotQueue q = new SlotQueue(2, 4);
        assertFalse(q.offer(SRC, 0, 5), "larger than a slot");
        assertTrue(q.offer(SRC, 0, 4));
        assertTrue(q.offer(SRC, 4, 4));
        assertFalse(q.offer(SRC, 8, 1), "full");
        assertEquals(2, q.dropped());
        assertEquals(2, q.size());
    }

    @Test
    void badSizesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SlotQueue(0, 64));
        assertTrue(e.getMessage().endsWith("got 0 x 64"), e.getMessage());
    }
}
