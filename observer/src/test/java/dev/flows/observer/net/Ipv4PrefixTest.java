package dev.flows.observer.net;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class Ipv4PrefixTest {
    @Test
    void hostBitsAreClearedAndTheTextRoundTrips() {
        Ipv4Prefix p = Ipv4Prefix.parse("10.244.1.7/16");
        assertEquals(0x0af40000, p.addr());
        assertEquals("10.244.0.0/16", p.toString());
        assertEquals(new Ipv4Prefix(Ipv4Prefix.address("10.244.1.5"), 32), Ipv4Prefix.parse("10.244.1.5"));
        assertEquals(0xffff0000, p.mask());
    }

    @Test
    void containsAndOrder() {
        Ipv4Prefix p = Ipv4Prefix.parse("10.0.0.0/8");
        assertTrue(p.contains(Ipv4Prefix.parse("10.1.0.0/16")));
        assertFalse(Ipv4Prefix.parse("10.1.0.0/16").contains(p));
        assertTrue(p.containsAddress(Ipv4Prefix.address("10.9.8.7")));
        assertTrue(Ipv4Prefix.ALL.containsAddress(Ipv4Prefix.address("203.0.113.7")));
        assertEquals(0x0affffffL, p.end());
        assertTrue(p.compareTo(Ipv4Prefix.parse("10.0.0.0/9")) < 0, "same start: the wider first");
    }

    @Test
    void badTextNamesTheValue() {
        assertEquals("not an IPv4 prefix: '10.0.0.0/33'; expected e.g. 10.244.0.0/16",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Prefix.parse("10.0.0.0/33")).getMessage());
        assertEquals("not an IPv4 address: '10.0.0'; expected e.g. 10.244.1.5",
                assertThrows(IllegalArgumentException.class, () -> Ipv4Prefix.parse("10.0.0/8")).getMessage());
    }
}
