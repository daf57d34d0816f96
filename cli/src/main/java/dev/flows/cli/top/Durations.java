package dev.flows.cli.top;

import dev.flows.cli.FlagException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** --interval and --window values: 500ms, 1s, 2m (a bare number is seconds). */
final class Durations {
    private static final Pattern P = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    private Durations() {}

    static long millis(String flag, String value, long min, long max) {
        Matcher m = P.matcher(value.strip());
        if (!m.matches()) {
            throw new FlagException(flag, value, "a duration such as 500ms, 1s or 2m");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new FlagException(flag, value, "a duration such as 500ms, 1s or 2m");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        long ms = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            default -> n * 1000;
        };
        if (ms < min || ms > max) {
            throw new FlagException(flag, value, "a duration between " + TableFormatter.seconds(min) + " and " + TableFormatter.seconds(max));
        }
        return ms;
    }
}
