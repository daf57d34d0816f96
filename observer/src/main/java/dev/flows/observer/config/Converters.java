package dev.flows.observer.config;

import dev.flows.observer.net.Ipv4Prefix;
import java.net.InetSocketAddress;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the grammars every main shares, so an option is a field of its real
 * type. A converter does not know its flag: it says "VALUE: what is valid" and
 * {@link Options#oneLine} puts the flag in front.
 */
public final class Converters {
    private Converters() {}

    /** Hubble's durations ({@link Durations}): 250ms, 5s, 1h30m, 2d. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d = Durations.parseOrNull(value);
            if (d == null) {
                throw new TypeConversionException(value + ": must be a number with ms, s, m or h, e.g. 500ms, 5s");
            }
            return d;
        }
    }

    /** An address to listen on, resolved at start. */
    public static final class Listen implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            InetSocketAddress a = new Peer().convert(value);
            return new InetSocketAddress(a.getHostString(), a.getPort());
        }
    }

    /** An address to listen on, or "off" (null) for a server that is not wanted. */
    public static final class ListenOrOff implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            return value.equals("off") ? null : new Listen().convert(value);
        }
    }

    /** A peer's HOST:PORT checked for form only: names are resolved when connecting, not at start. */
    public static final class Peer implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return HostPort.unresolved("", value);
            } catch (ConfigException e) {
                throw new TypeConversionException(value + ": must be HOST:PORT, e.g. 0.0.0.0:4244");
            }
        }
    }

    /** An IPv4 prefix such as 10.244.0.0/16. */
    public static final class Prefix implements ITypeConverter<Ipv4Prefix> {
        @Override
        public Ipv4Prefix convert(String value) {
            try {
                return Ipv4Prefix.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(value + ": must be an IPv4 prefix such as 10.244.0.0/16");
            }
        }
    }
}
