package dev.flows.bench;

import java.nio.ByteBuffer;

/**
 * Ethernet frames for BPF_PROG_TEST_RUN: pod-to-pod UDP and TCP, IPv4 and IPv6. Checksums stay
 * zero: the programs do not check them. (The collector's tests have their own builder; test code
 * is not on the bench's class path.)
 */
final class BenchFrames {
    private BenchFrames() {}

    private static final byte[] SRC_MAC = {2, 0, 0, 0, 0, 1};
    private static final byte[] DST_MAC = {2, 0, 0, 0, 0, 2};
    private static final int TCP = 6, UDP = 17, ACK = 0x10, PSH = 0x08;

    /** A 64-byte-payload UDP datagram between two IPv4 pod addresses: the producer's frame. */
    static byte[] udp4(int flow) {
        return frame(false, flow, false, UDP, 64);
    }

    /**
     * Frame number i of a varied mix (TCP and UDP, IPv4 and IPv6, many pods and ports) so that
     * captured events are not all one flow. Odd i is the reply direction of flow i/2.
     */
    static byte[] mixed(int i) {
        int flow = i / 2;
        return frame((flow & 2) != 0, flow, (i & 1) != 0, (flow & 1) != 0 ? TCP : UDP, 32 + flow % 512);
    }

    private static byte[] frame(boolean v6, int flow, boolean reply, int proto, int payload) {
        byte[] client = addr(v6, 1 + flow % 200, flow / 200);
        byte[] server = addr(v6, 201 + flow % 50, 0);
        int clientPort = 30000 + flow % 30000;
        int serverPort = proto == TCP ? 8080 : 53;
        byte[] src = reply ? server : client, dst = reply ? client : server;
        int sport = reply ? serverPort : clientPort, dport = reply ? clientPort : serverPort;

        ByteBuffer l4 = ByteBuffer.allocate((proto == TCP ? 20 : 8) + payload);
        l4.putShort((short) sport).putShort((short) dport);
        if (proto == TCP) {
            l4.putInt(1).putInt(1).put((byte) 0x50).put((byte) (ACK | PSH)).putShort((short) 65535);
        } else {
            l4.putShort((short) (8 + payload));
        }
        ByteBuffer b = ByteBuffer.allocate(14 + (v6 ? 40 : 20) + l4.capacity());
        b.put(DST_MAC).put(SRC_MAC).putShort((short) (v6 ? 0x86dd : 0x0800));
        if (v6) {
            b.putInt(0x60000000).putShort((short) l4.capacity()).put((byte) proto).put((byte) 64).put(src).put(dst);
        } else {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.capacity())).putInt(0);
            b.put((byte) 64).put((byte) proto).putShort((short) 0).put(src).put(dst);
        }
        return b.put(l4.array()).array();
    }

    /** 10.244.{node}.{host} or fd00:10:244:{node}::{host}. */
    private static byte[] addr(boolean v6, int host, int node) {
        if (!v6) {
            return new byte[] {10, (byte) 244, (byte) node, (byte) host};
        }
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        a[3] = 0x10;
        a[4] = 0x02;
        a[5] = 0x44;
        a[7] = (byte) node;
        a[15] = (byte) host;
        return a;
    }
}
