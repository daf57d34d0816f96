package dev.flows.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flows.relay.peers.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reconnect delays: 1 s doubling up to 1 min, back to 1 s after a success. */
class BackoffTest {
    @Test
    void backoffDoublesUpToTheMaximumAndResets() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
        List<Long> s = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            s.add(b.next().toSeconds());
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L), s);
        b.reset();
        assertEquals(1, b.next().toSeconds());
    }
}
