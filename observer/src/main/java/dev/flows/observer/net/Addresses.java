package dev.flows.observer.net;

import java.nio.ByteBuffer;

/**
 * Text forms of addresses as Go's net package writes them (so flows print like Hubble's):
 * dotted IPv4, RFC 5952 IPv6 ("fd00::1"), lower-case colon-separated MACs.
 */
public final class Addresses {
    private Addresses() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public static String ipv4(int bigEndianAddr) {
        return ((bigEndianAddr >>> 24) & 0xff) + "." + ((bigEndianAddr >>> 16) & 0xff) + "."
                + ((bigEndianAddr >>> 8) & 0xff) + "." + (bigEndianAddr & 0xff);
    }

    /** Formats 16 bytes at {@code off} as IPv6; IPv4-mapped addresses print as IPv4, like Go. */
    public static String ipv6(ByteBuffer buf, int off) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((buf.get(off + 2 * i) & 0xff) << 8) | (buf.get(off + 2 * i + 1) & 0xff);
        }
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return ipv4((g[6] << 16) | g[7]);
        }
        return ipv6(g);
    }

    /** RFC 5952: the longest run of two or more zero groups (the first on ties) becomes "::". */
    public static String ipv6(int[] groups) {
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    public static String mac(ByteBuffer buf, int off) {
        char[] c = new char[17];
        for (int i = 0; i < 6; i++) {
            int b = buf.get(off + i) & 0xff;
            c[3 * i] = HEX[b >>> 4];
            c[3 * i + 1] = HEX[b & 0xf];
            if (i < 5) {
                c[3 * i + 2] = ':';
            }
        }
        return new String(c);
    }

    /**
     * Parses an IP literal (never a host name: no DNS lookup) into 4 or 16 bytes, or null when it
     * is not one.
     */
    public static byte[] parseIp(String s) {
        if (s.indexOf(':') >= 0) {
            return parseIpv6(s);
        }
        return parseIpv4(s);
    }

    private static byte[] parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                char c = p.charAt(k);
                if (c < '0' || c > '9') {
                    return null;
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] parseIpv6(String s) {
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        int[] h = groups(head);
        int[] t = groups(tail);
        if (h == null || t == null) {
            return null;
        }
        int total = h.length + t.length;
        if ((dbl < 0 && total != 8) || (dbl >= 0 && total > 7)) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < h.length; i++) {
            out[2 * i] = (byte) (h[i] >>> 8);
            out[2 * i + 1] = (byte) h[i];
        }
        for (int i = 0; i < t.length; i++) {
            int k = 8 - t.length + i;
            out[2 * k] = (byte) (t[i] >>> 8);
            out[2 * k + 1] = (byte) t[i];
        }
        return out;
    }

    /** Hex groups of one side of "::"; a trailing dotted IPv4 counts as two groups. */
    private static int[] groups(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int n = parts.length;
        boolean v4Tail = parts[n - 1].indexOf('.') >= 0;
        int[] out = new int[v4Tail ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            String p = parts[i];
            if (i == n - 1 && v4Tail) {
                byte[] v4 = parseIpv4(p);
                if (v4 == null) {
                    return null;
                }
                out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
                out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            for (int k = 0; k < p.length(); k++) {
                if (Character.digit(p.charAt(k), 16) < 0) {
                    return null;
                }
            }
            out[i] = Integer.parseInt(p, 16);
        }
        return out;
    }

    /** The canonical text of an IP given as bytes (4 or 16). */
    public static String format(byte[] ip) {
        if (ip.length == 4) {
            return ipv4(ByteBuffer.wrap(ip).getInt());
        }
        return ipv6(ByteBuffer.wrap(ip), 0);
    }
}
