package dev.flows.observer.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them: 250ms, 5s, 2m, 1h. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {}

    public static Duration parse(String flag, String value) {
        Matcher m = FORM.matcher(value.trim());
        if (!m.matches()) {
            throw new ConfigException(flag + " " + value + ": must be a number with ms, s, m or h, e.g. 500ms, 5s");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
