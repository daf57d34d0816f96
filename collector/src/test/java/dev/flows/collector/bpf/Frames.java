package dev.flows.collector.bpf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Crafted Ethernet frames for BPF_PROG_TEST_RUN. Checksums are left zero: the programs ignore them. */
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
