package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The CLI's options as typed on the command line: their values typed, a bad one a line naming flag, value and what is valid. */
class CliConvertersTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T20:00:00Z"), ZoneOffset.UTC);

    private static String refused(Object command, String... args) {
        return assertThrows(ConfigException.class, () -> Options.parse(command, args)).getMessage();
    }

    @Test
    void labUpTakesTheCollectorTimeoutAsSecondsOrAsADuration() {
        assertEquals(Duration.ofSeconds(60), Options.parse(new LabCommand.Up()).timeout);
        assertEquals(Duration.ofSeconds(90), Options.parse(new LabCommand.Up(), "--collector-timeout", "90").timeout);
        assertEquals(Duration.ofMinutes(2), Options.parse(new LabCommand.Up(), "--collector-timeout", "2m").timeout);
        assertEquals("--collector-timeout soon: must be a number with ms, s, m or h, e.g. 500ms, 5s",
                refused(new LabCommand.Up(), "--collector-timeout", "soon"));
    }

    @Test
    void sinceAndUntilAreTimesOrDurationsAgo() {
        SelectionOptions s = Options.parse(new SelectionOptions(), "--since", "1h30m", "--until", "2026-11-21T19:59:00+01:00");
        assertEquals(Instant.parse("2026-11-21T18:30:00Z"), s.window.since.resolve(CLOCK));
        assertEquals(Instant.parse("2026-11-21T18:59:00Z"), s.window.until.resolve(CLOCK));
        assertEquals("--until yesterday: must be an RFC 3339 time (2006-01-02T15:04:05Z) or a duration ago (30s, 5m, 1h30m, 2d)",
                refused(new SelectionOptions(), "--until", "yesterday"));
    }

    @Test
    void outputChoicesAreTyped() {
        OutputOptions o = Options.parse(new OutputOptions(), "-o", "jsonpb", "--color", "never");
        assertEquals(FlowPrinter.Format.JSONPB, o.output);
        assertEquals(Colors.When.NEVER, o.color);
        assertEquals(NodesCommand.Format.WIDE, Options.parse(new NodesCommand(), "-o", "wide").output);
        assertEquals("--output JSON: must be compact, dict, table, json or jsonpb", refused(new OutputOptions(), "-o", "JSON"));
    }
}
