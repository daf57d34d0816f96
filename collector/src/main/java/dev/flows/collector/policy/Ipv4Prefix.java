package dev.flows.collector.policy;

import dev.flows.observer.net.Addresses;

/**
 * An IPv4 prefix with its host bits cleared: an ipcache key, and the prefixes of ipBlock rules.
 *
 * @param addr the network address, most significant octet first
 * @param len 0..32
 */
public record Ipv4Prefix(int addr, int len) implements Comparable<Ipv4Prefix> {
    public static final Ipv4Prefix ALL = new Ipv4Prefix(0, 0);

    public Ipv4Prefix {
        if (len < 0 || len > 32) {
            throw new IllegalArgumentException("prefix length " + len + " not in 0..32");
        }
        addr &= mask(len);
    }

    /** "a.b.c.d/n", or "a.b.c.d" as a /32; the cluster loader has validated both. */
    public static Ipv4Prefix parse(String s) {
        int slash = s.indexOf('/');
        byte[] ip = Addresses.parseIp(slash < 0 ? s : s.substring(0, slash));
        if (ip == null || ip.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address or prefix: '" + s + "'");
        }
        return new Ipv4Prefix(address(ip), slash < 0 ? 32 : Integer.parseInt(s.substring(slash + 1)));
    }

    static int address(byte[] ip) {
        return ((ip[0] & 0xff) << 24) | ((ip[1] & 0xff) << 16) | ((ip[2] & 0xff) << 8) | (ip[3] & 0xff);
    }

    static int mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }

    /** Whether every address of {@code other} is in this prefix. */
    public boolean contains(Ipv4Prefix other) {
        return other.len >= len && (other.addr & mask(len)) == addr;
    }

    public boolean containsAddress(int ip) {
        return (ip & mask(len)) == addr;
    }

    /** The first address, as an unsigned value, for ordering prefixes by where they start. */
    long start() {
        return addr & 0xffffffffL;
    }

    long end() {
        return start() | (~mask(len) & 0xffffffffL);
    }

    @Override
    public int compareTo(Ipv4Prefix o) {
        int c = Long.compare(start(), o.start());
        return c != 0 ? c : Integer.compare(len, o.len);
    }

    @Override
    public String toString() {
        return (addr >>> 24) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff) + "." + (addr & 0xff) + "/" + len;
    }
}
