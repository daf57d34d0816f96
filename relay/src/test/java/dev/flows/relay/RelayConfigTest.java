package dev.flows.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The relay's settings as a user gives them on the command line. */
class RelayConfigTest {
    static RelayConfig parse(String... args) {
        RelayConfig c = Options.parse(new RelayConfig(), args);
        c.validate();
        return c;
    }

    @Test
    void aQuietNodeDelaysOthersByAGraceOf50msByDefault() {
        RelayConfig c = parse("--collectors", "127.0.0.1:4244");
        assertEquals(Duration.ofMillis(50), c.quietGrace());
        assertEquals(Duration.ofSeconds(1), c.sortWindow());
    }

    @Test
    void theQuietGraceMayNotExceedTheSortWindow() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("--collectors", "127.0.0.1:4244", "--sort-window", "500ms", "--quiet-grace", "2s"));
        assertEquals("--quiet-grace 2s: must not exceed --sort-window 500ms", e.getMessage());
        assertEquals(Duration.ZERO, parse("--collectors", "127.0.0.1:4244", "--quiet-grace", "0ms").quietGrace());
    }
}
