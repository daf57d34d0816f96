package dev.flows.observer.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Hubble writes them: one or more of a whole number and a unit, ms, s, m, h or d,
 * largest first or not ("250ms", "5s", "1h30m", "2d"). The one grammar of every duration flag
 * (collector, relay, CLI); a caller may add its own reading on top (a bare number is seconds in
 * {@code flows top} and {@code flows lab up}).
 */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(?:\\d{1,18}(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");

    private Durations() {}

    /** The duration {@code value} writes, or null when it is not one (or too long for a Duration). */
    public static Duration parseOrNull(String value) {
        String v = value.trim();
        if (!FORM.matcher(v).matches()) {
            return null;
        }
        Duration d = Duration.ZERO;
        Matcher m = PART.matcher(v);
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
        } catch (ArithmeticException e) {
            return null;
        }
        return d;
    }

    /** {@code d} in the same grammar, largest unit first ("1h30m", "500ms", "0s"), for messages that quote a setting. */
    public static String format(Duration d) {
        StringBuilder b = new StringBuilder();
        long[] amounts = {d.toDaysPart(), d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart(), d.toMillisPart()};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (amounts[i] != 0) {
                b.append(amounts[i]).append(units[i]);
            }
        }
        return b.isEmpty() ? "0s" : b.toString();
    }

    /** A duration setting; a bad value is a one-line {@link ConfigException} naming the flag. */
    public static Duration parse(String flag, String value) {
        Duration d = parseOrNull(value);
        if (d == null) {
            throw new ConfigException(flag + " " + value + ": must be a number with ms, s, m or h, e.g. 500ms, 5s");
        }
        return d;
    }
}
