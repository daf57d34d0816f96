package dev.flows.observer.config;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one duration grammar: Hubble's whole numbers with ms, s, m, h, d, in any combination. */
class DurationsTest {
    @Test
    void hubblesForms() {
        assertEquals(Duration.ofMillis(250), Durations.parse("--x", "250ms"));
        assertEquals(Duration.ofSeconds(5), Durations.parse("--x", "5s"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("--x", "1h30m"));
        assertEquals(Duration.ofDays(2), Durations.parse("--x", "2d"));
        assertEquals(Duration.ZERO, Durations.parse("--x", "0s"));
    }

    @Test
    void aBadValueNamesTheFlag() {
        for (String bad : new String[] {"", "5", "1.5s", "-1s", "5 s", "5sec", "99999999999999999999d"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("--sort-window", bad), bad);
            assertEquals("--sort-window " + bad + ": must be a number with ms, s, m or h, e.g. 500ms, 5s", e.getMessage());
            assertNull(Durations.parseOrNull(bad), bad);
        }
    }

    @Test
    void formatWritesTheSameGrammarBack() {
        for (String d : new String[] {"0s", "500ms", "2s", "1h30m", "2d", "1m5s250ms"}) {
            assertEquals(d, Durations.format(Durations.parse("--x", d)));
        }
    }
}
