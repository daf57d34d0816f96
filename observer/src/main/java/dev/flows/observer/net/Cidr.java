package dev.flows.observer.net;

/** An IP prefix ("10.244.0.0/16", "fd00::/64"), or a single address with a full-length prefix. */
public final class Cidr {
    private final byte[] network;
    private final int bits;
    private final String text;

    private Cidr(byte[] network, int bits, String text) {
        this.network = network;
        this.bits = bits;
        this.text = text;
    }

    /** Parses "addr" or "addr/bits"; null when it is not one. Host bits are masked off. */
    public static Cidr parse(String s) {
        int slash = s.indexOf('/');
        byte[] ip = Addresses.parseIp(slash < 0 ? s : s.substring(0, slash));
        if (ip == null) {
            return null;
        }
        int max = ip.length * 8;
        int bits = max;
        if (slash >= 0) {
            String b = s.substring(slash + 1);
            if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(Character::isDigit)) {
                return null;
            }
            bits = Integer.parseInt(b);
            if (bits > max) {
                return null;
            }
        }
        for (int i = 0; i < ip.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            ip[i] &= (byte) (0xff00 >>> keep);
        }
        return new Cidr(ip, bits, s);
    }

    public boolean contains(byte[] ip) {
        if (ip == null || ip.length != network.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (ip[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int m = 0xff00 >>> rest;
        return (ip[full] & m) == (network[full] & m);
    }

    public boolean contains(String ip) {
        return contains(Addresses.parseIp(ip));
    }

    public boolean isSingleAddress() {
        return bits == network.length * 8;
    }

    @Override
    public String toString() {
        return text;
    }
}
