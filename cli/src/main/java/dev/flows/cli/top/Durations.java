package dev.flows.cli.top;

import dev.flows.cli.FlagException;
import java.util.regex.Pattern;

/**
 * --interval and --window values: durations in the one grammar (observer's Durations: 500ms, 1s,
 * 2m), and, as top has always taken them, a bare number of seconds.
 */
final class Durations {
    private static final Pattern BARE_SECONDS = Pattern.compile("\\d{1,9}");

    private Durations() {}

    static long millis(String flag, String value, long min, long max) {
        String v = value.strip();
        java.time.Duration d = BARE_SECONDS.matcher(v).matches() ? java.time.Duration.ofSeconds(Long.parseLong(v))
                : dev.flows.observer.config.Durations.parseOrNull(v);
        if (d == null) {
            throw new FlagException(flag, value, "a duration such as 500ms, 1s or 2m");
        }
        long ms = d.compareTo(java.time.Duration.ofMillis(max)) > 0 ? max + 1 : d.toMillis();
        if (ms < min || ms > max) {
            throw new FlagException(flag, value, "a duration between " + TableFormatter.seconds(min) + " and " + TableFormatter.seconds(max));
        }
        return ms;
    }
}
