package dev.flows.observer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flows.observer.net.Ipv4Prefix;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

/** Each shared grammar through picocli as a main parses it: good values typed, bad ones one line naming the flag. */
class ConvertersTest {
    enum Color { RED, DARK_BLUE }

    static final class ColorConverter extends LowerCaseEnum<Color> { ColorConverter() { super(Color.class); } }

    static final class Flags {
        @Option(names = "--every", converter = Converters.DurationConverter.class, defaultValue = "5s") Duration every;
        @Option(names = "--listen", converter = Converters.Listen.class, defaultValue = "0.0.0.0:4244") InetSocketAddress listen;
        @Option(names = "--metrics-listen", converter = Converters.ListenOrOff.class, defaultValue = "off") InetSocketAddress metrics;
        @Option(names = "--peer", converter = Converters.Peer.class) InetSocketAddress peer;
        @Option(names = "--cidr", converter = Converters.Prefix.class) Ipv4Prefix cidr;
        @Option(names = "--color", converter = ColorConverter.class, defaultValue = "red") Color color;
    }

    static final class Positional {
        @picocli.CommandLine.Parameters(paramLabel = "SHADE", converter = ColorConverter.class) Color shade;
    }

    private static Flags parse(String... args) {
        return Options.parse(new Flags(), args);
    }

    private static String refused(String... args) {
        return assertThrows(ConfigException.class, () -> parse(args)).getMessage();
    }

    @Test
    void goodValuesAndDefaultsAreTyped() {
        Flags f = parse();
        assertEquals(Duration.ofSeconds(5), f.every);
        assertEquals(new InetSocketAddress("0.0.0.0", 4244), f.listen);
        assertNull(f.metrics);
        assertEquals(Color.RED, f.color);
        f = parse("--every", "1h30m", "--metrics-listen", "[::1]:9966", "--peer", "relay.flows:4245",
                "--cidr", "10.244.0.0/16", "--color", "dark-blue");
        assertEquals(Duration.ofMinutes(90), f.every);
        assertEquals(new InetSocketAddress("::1", 9966), f.metrics);
        assertEquals(InetSocketAddress.createUnresolved("relay.flows", 4245), f.peer);
        assertEquals(Ipv4Prefix.parse("10.244.0.0/16"), f.cidr);
        assertEquals(Color.DARK_BLUE, f.color);
    }

    @Test
    void eachBadValueIsOneLineNamingFlagValueAndWhatIsValid() {
        assertEquals("--every 5x: must be a number with ms, s, m or h, e.g. 500ms, 5s", refused("--every", "5x"));
        assertEquals("--listen 4244: must be HOST:PORT, e.g. 0.0.0.0:4244", refused("--listen", "4244"));
        assertEquals("--metrics-listen no: must be HOST:PORT, e.g. 0.0.0.0:4244", refused("--metrics-listen", "no"));
        assertEquals("--peer relay:99999: must be HOST:PORT, e.g. 0.0.0.0:4244", refused("--peer", "relay:99999"));
        assertEquals("--cidr 10.244.0.0/33: must be an IPv4 prefix such as 10.244.0.0/16", refused("--cidr", "10.244.0.0/33"));
        assertEquals("--color RED: must be red or dark-blue", refused("--color", "RED"));
        assertEquals("SHADE blue: must be red or dark-blue",
                assertThrows(ConfigException.class, () -> Options.parse(new Positional(), "blue")).getMessage());
    }

    @Test
    void otherParseErrorsKeepPicocliWords() {
        assertEquals("Unknown options: '--colour', 'red'", refused("--colour", "red"));
    }
}
