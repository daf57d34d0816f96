package dev.flows.collector.bpf;

/**
 * An IPv4 prefix as the datapath compares addresses: {@code (addr & mask) == network}.
 *
 * @param network the address with host bits cleared, as a big-endian int (10.244.0.0 = 0x0af40000)
 * @param bits prefix length 0-32; 0 means "no prefix" (matches nothing in the datapath)
 */
public record Ipv4Prefix(int network, int bits) {
    public static final Ipv4Prefix NONE = new Ipv4Prefix(0, 0);

    public Ipv4Prefix {
        if (bits < 0 || bits > 32) {
            throw new IllegalArgumentException("prefix length must be 0-32, got " + bits);
        }
        network &= mask(bits);
    }

    /** Parses "a.b.c.d/n" or "a.b.c.d" (a /32). */
    public static Ipv4Prefix parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        int bits;
        try {
            bits = slash < 0 ? 32 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IPv4 prefix: '" + text + "'; expected e.g. 10.244.0.0/16");
        }
        if (bits < 0 || bits > 32) {
            throw new IllegalArgumentException("not an IPv4 prefix: '" + text + "'; expected e.g. 10.244.0.0/16");
        }
        return new Ipv4Prefix(address(addr), bits);
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

    /** Dotted form of a big-endian int address. */
    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    public int mask() {
        return mask(bits);
    }

    public boolean contains(int address) {
        return bits > 0 && (address & mask()) == network;
    }

    private static int mask(int bits) {
        return bits == 0 ? 0 : -1 << (32 - bits);
    }

    @Override
    public String toString() {
        return format(network) + "/" + bits;
    }
}
