package dev.flows.observer.net;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Addresses print as Go (and so Hubble) prints them, and parse without ever touching DNS. */
class AddressesTest {
    @ParameterizedTest
    @CsvSource({
        "fd00:0:0:0:0:0:0:1, fd00::1",
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "FD00:10:244:1:0:0:0:5, fd00:10:244:1::5",
        "::ffff:10.1.2.3, 10.1.2.3",
        "10.244.1.5, 10.244.1.5",
    })
    void canonicalText(String in, String out) {
        assertEquals(out, Addresses.format(Addresses.parseIp(in)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.256", "10.0.0.1.2", "1:2:3:4:5:6:7:8:9", "fd00:::1", "a::b::c",
            "localhost", "12345::", "10.0.0.-1"})
    void rejectsWhatIsNotAnIpLiteral(String s) {
        assertNull(Addresses.parseIp(s));
    }

    @Test
    void mac() {
        assertEquals("0a:58:0a:f4:01:ff", Addresses.mac(ByteBuffer.wrap(new byte[] {0x0a, 0x58, 0x0a, (byte) 0xf4, 1, (byte) 0xff}), 0));
    }

    @Test
    void cidr() {
        Cidr c = Cidr.parse("10.244.0.0/16");
        assertTrue(c.contains("10.244.255.1"));
        assertFalse(c.contains("10.245.0.1"));
        assertFalse(c.contains("fd00::1"));
        assertTrue(Cidr.parse("10.244.1.7/20").contains("10.244.15.1"), "host bits are masked off");
        assertTrue(Cidr.parse("fd00::/8").contains("fdff::1"));
        assertNull(Cidr.parse("10.0.0.0/33"));
        assertNull(Cidr.parse("10.0.0.0/"));
    }
}
