package dev.flows.cli;

import dev.flows.observer.config.Converters;
import dev.flows.observer.config.Durations;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The CLI's own picocli converters, on top of observer's shared ones. Like those, each says
 * "VALUE: must be ..." and {@link dev.flows.observer.config.Options#oneLine} puts the flag in front.
 */
public final class CliConverters {
    private static final Pattern BARE_SECONDS = Pattern.compile("\\d{1,9}");

    private CliConverters() {}

    /** A whole number of something, at least 0; subclass once per noun, with a no-argument constructor. */
    public abstract static class Count implements ITypeConverter<Integer> {
        private final String what;

        protected Count(String what) {
            this.what = what;
        }

        @Override
        public Integer convert(String value) {
            try {
                int n = Integer.parseInt(value.strip());
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // refused below, with what is valid
            }
            throw new TypeConversionException(value + ": must be a number of " + what + " >= 0");
        }
    }

    /** --last and --first. */
    static final class Flows extends Count { Flows() { super("flows"); } }

    /**
     * A duration in Hubble's grammar or, as {@code flows top} and {@code flows lab up} have always
     * taken one, a bare number of seconds ("2" is 2s): scripts pass them so.
     */
    public static class Seconds implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip();
            return BARE_SECONDS.matcher(v).matches() ? Duration.ofSeconds(Long.parseLong(v)) : new Converters.DurationConverter().convert(v);
        }
    }

    /** {@link Seconds} within bounds; subclass once per flag, with a no-argument constructor. */
    public abstract static class SecondsBetween extends Seconds {
        private final Duration min;
        private final Duration max;

        protected SecondsBetween(Duration min, Duration max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Duration convert(String value) {
            Duration d = super.convert(value);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new TypeConversionException(value + ": must be a duration between " + Durations.format(min)
                        + " and " + Durations.format(max));
            }
            return d;
        }
    }

    /** --since and --until: an RFC 3339 time, or a duration ago in Hubble's grammar. */
    static final class WhenConverter implements ITypeConverter<Selection.When> {
        @Override
        public Selection.When convert(String value) {
            Duration ago = Durations.parseOrNull(value);
            if (ago != null) {
                return Selection.When.ago(ago);
            }
            try {
                return Selection.When.at(OffsetDateTime.parse(value).toInstant());
            } catch (DateTimeParseException e) {
                throw new TypeConversionException(value + ": must be an RFC 3339 time (2006-01-02T15:04:05Z) or a duration ago "
                        + "(30s, 5m, 1h30m, 2d)");
            }
        }
    }
}
