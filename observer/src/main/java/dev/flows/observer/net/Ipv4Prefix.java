package dev.flows.observer.net;

/**
 * An IPv4 prefix with its host bits cleared, as the datapath compares addresses:
 * {@code (addr & mask) == network}. The one IPv4 prefix type: the datapath's configured ranges
 * (BpfConfig, where a length of 0 means "none"), the ipcache's keys and ipBlock rules (policy),
 * services' addresses. {@link Cidr} is the textual, IPv4-or-IPv6 form filters match with.
 *
 * @param addr the network address as a big-endian int (10.244.0.0 = 0x0af40000)
 * @param len prefix length 0-32
 */
public record Ipv4Prefix(int addr, int len) implements Comparable<Ipv4Prefix> {
    /** 0.0.0.0/0. */
    public static final Ipv4Prefix ALL = new Ipv4Prefix(0, 0);

    public Ipv4Prefix {
        if (len < 0 || len > 32) {
            throw new IllegalArgumentException("prefix length must be 0-32, got " + len);
        }
        addr &= mask(len);
    }

    /** Parses "a.b.c.d/n" or "a.b.c.d" (a /32). */
    public static Ipv4Prefix parse(String text) {
        int slash = text.indexOf('/');
        String a = slash < 0 ? text : text.substring(0, slash);
        int bits;
        try {
            bits = slash < 0 ? 32 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IPv4 prefix: '" + text + "'; expected e.g. 10.244.0.0/16");
        }
        if (bits < 0 || bits > 32) {
            throw new IllegalArgumentException("not an IPv4 prefix: '" + text + "'; expected e.g. 10.244.0.0/16");
        }
        return new Ipv4Prefix(address(a), bits);
    }

    /** The big-endian int of a dotted IPv4 address. */
    public static int address(String dotted) {
        String[] p = dotted.split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'; expected e.g. 10.244.1.5");
        }
        int v = 0;
        for (String part : p) {
            int octet;
            try {
                octet = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                octet = -1;
            }
            if (octet < 0 || octet > 255 || part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: '" + dotted + "'; expected e.g. 10.244.1.5");
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    /** The big-endian int of 4 address bytes, most significant first. */
    public static int address(byte[] ip) {
        return ((ip[0] & 0xff) << 24) | ((ip[1] & 0xff) << 16) | ((ip[2] & 0xff) << 8) | (ip[3] & 0xff);
    }

    /** Dotted form of a big-endian int address. */
    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    public int mask() {
        return mask(len);
    }

    private static int mask(int len) {
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
    public long start() {
        return addr & 0xffffffffL;
    }

    /** The last address, as an unsigned value. */
    public long end() {
        return start() | (~mask(len) & 0xffffffffL);
    }

    @Override
    public int compareTo(Ipv4Prefix o) {
        int c = Long.compare(start(), o.start());
        return c != 0 ? c : Integer.compare(len, o.len);
    }

    @Override
    public String toString() {
        return format(addr) + "/" + len;
    }
}
