package dev.flows.collector.bpf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Crafted Ethernet frames for BPF_PROG_TEST_RUN. Checksums are zero unless {@link #withChecksums} fills them. */
final class Frames {
    private Frames() {}

    static final byte[] SRC_MAC = {2, 0, 0, 0, 0, 1};
    static final byte[] DST_MAC = {2, 0, 0, 0, 0, 2};

    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
    static final int TCP = 6, UDP = 17, ICMP = 1, ICMPV6 = 58, HOPOPTS = 0;

    static byte[] tcp(String src, int sport, String dst, int dport, int flags, int payload) {
        ByteBuffer l4 = ByteBuffer.allocate(20 + payload);
        l4.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0);
        l4.put((byte) 0x50).put((byte) flags).putShort((short) 65535);
        return ip(src, dst, TCP, l4.array());
    }

    static byte[] udp(String src, int sport, String dst, int dport, int payload) {
        ByteBuffer l4 = ByteBuffer.allocate(8 + payload);
        l4.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload));
        return ip(src, dst, UDP, l4.array());
    }

    /** ICMP or ICMPv6 (by address family) echo request or reply. */
    static byte[] echo(String src, String dst, int id, boolean reply) {
        boolean v6 = src.contains(":");
        int type = v6 ? (reply ? 129 : 128) : (reply ? 0 : 8);
        ByteBuffer l4 = ByteBuffer.allocate(16);
        l4.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) 1);
        return ip(src, dst, v6 ? ICMPV6 : ICMP, l4.array());
    }

    /** IPv6 with a hop-by-hop options header (8 bytes) before the L4 header. */
    static byte[] withHopByHop(byte[] ipv6Frame) {
        int nextHeader = ipv6Frame[14 + 6];
        ByteBuffer b = ByteBuffer.allocate(ipv6Frame.length + 8);
        b.put(ipv6Frame, 0, 14 + 40);
        b.put(14 + 6, (byte) HOPOPTS);
        b.putShort(14 + 4, (short) (ipv6Frame.length - 54 + 8));
        b.put((byte) nextHeader).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0}); // PadN
        b.put(ipv6Frame, 54, ipv6Frame.length - 54);
        return b.array();
    }

    /** The IPv4 frame with a correct IP header checksum and TCP/UDP checksum (pseudo-header included). */
    static byte[] withChecksums(byte[] frame) {
        byte[] f = frame.clone();
        ByteBuffer b = ByteBuffer.wrap(f);
        b.putShort(14 + 10, (short) 0);
        b.putShort(14 + 10, (short) ~sum(f, 14, 20, 0));
        int proto = f[14 + 9];
        int l4 = 14 + 20;
        int csumAt = l4 + (proto == TCP ? 16 : 6);
        b.putShort(csumAt, (short) 0);
        int c = (short) ~l4Sum(f) & 0xffff;
        b.putShort(csumAt, (short) (proto == UDP && c == 0 ? 0xffff : c));
        return f;
    }

    /** A UDP frame whose checksum is 0 (none), as senders may do over IPv4. */
    static byte[] withoutUdpChecksum(byte[] frame) {
        byte[] f = withChecksums(frame);
        ByteBuffer.wrap(f).putShort(14 + 20 + 6, (short) 0);
        return f;
    }

    /** Whether the IPv4 header checksum and the TCP/UDP checksum verify (a UDP 0 counts as "none"). */
    static boolean checksumsValid(byte[] f) {
        if ((sum(f, 14, 20, 0) & 0xffff) != 0xffff) {
            return false;
        }
        int proto = f[14 + 9];
        if (proto == UDP && ByteBuffer.wrap(f).getShort(14 + 20 + 6) == 0) {
            return true;
        }
        return (l4Sum(f) & 0xffff) == 0xffff;
    }

    static int udpChecksum(byte[] f) {
        return ByteBuffer.wrap(f).getShort(14 + 20 + 6) & 0xffff;
    }

    /** One's complement sum of the L4 segment plus the IPv4 pseudo-header. */
    private static int l4Sum(byte[] f) {
        int totalLen = ByteBuffer.wrap(f).getShort(14 + 2) & 0xffff;
        int l4Len = totalLen - 20;
        int pseudo = 0;
        pseudo = sum(f, 14 + 12, 8, pseudo); // source and destination addresses
        pseudo += f[14 + 9] & 0xff;
        pseudo += l4Len;
        return sum(f, 14 + 20, l4Len, pseudo);
    }

    private static int sum(byte[] f, int off, int len, int initial) {
        long s = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = f[off + i] & 0xff;
            int lo = i + 1 < len ? f[off + i + 1] & 0xff : 0;
            s += (hi << 8) | lo;
        }
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) s;
    }

    /** Destination (or source) address and port of an IPv4 TCP/UDP frame, "a.b.c.d:port". */
    static String dst(byte[] f) {
        return endpoint(f, 14 + 16, 14 + 20 + 2);
    }

    static String src(byte[] f) {
        return endpoint(f, 14 + 12, 14 + 20);
    }

    private static String endpoint(byte[] f, int addrAt, int portAt) {
        return (f[addrAt] & 0xff) + "." + (f[addrAt + 1] & 0xff) + "." + (f[addrAt + 2] & 0xff) + "." + (f[addrAt + 3] & 0xff)
                + ":" + (ByteBuffer.wrap(f).getShort(portAt) & 0xffff);
    }

    static byte[] truncate(byte[] frame, int length) {
        return java.util.Arrays.copyOf(frame, length);
    }

    static byte[] ip(String src, String dst, int proto, byte[] l4) {
        byte[] s = addr(src), d = addr(dst);
        boolean v6 = s.length == 16;
        ByteBuffer b = ByteBuffer.allocate(14 + (v6 ? 40 : 20) + l4.length);
        b.put(DST_MAC).put(SRC_MAC).putShort((short) (v6 ? 0x86dd : 0x0800));
        if (v6) {
            b.putInt(0x60000000).putShort((short) l4.length).put((byte) proto).put((byte) 64).put(s).put(d);
        } else {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putInt(0);
            b.put((byte) 64).put((byte) proto).putShort((short) 0).put(s).put(d);
        }
        return b.put(l4).array();
    }

    static byte[] addr(String ip) {
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
