package dev.flows.observer.events;

import dev.flows.proto.flow.TCPFlags;

/**
 * The human summary Hubble prints as the last column of a compact line, and TCPFlags messages,
 * both precomputed per flag byte so the hot path only indexes arrays.
 */
public final class Summaries {
    private Summaries() {}

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    // Hubble's order: "TCP Flags: SYN, ACK", "TCP Flags: ACK, FIN", "TCP Flags: ACK, PSH".
    private static final int[] ORDER = {SYN, ACK, RST, FIN, PSH, URG, ECE, CWR};
    private static final String[] NAMES = {"SYN", "ACK", "RST", "FIN", "PSH", "URG", "ECE", "CWR"};

    private static final String[] TCP_SUMMARY = new String[256];
    private static final TCPFlags[] TCP_FLAGS = new TCPFlags[256];

    static {
        for (int f = 0; f < 256; f++) {
            StringBuilder sb = new StringBuilder("TCP Flags: ");
            boolean first = true;
            for (int i = 0; i < ORDER.length; i++) {
                if ((f & ORDER[i]) != 0) {
                    sb.append(first ? "" : ", ").append(NAMES[i]);
                    first = false;
                }
            }
            TCP_SUMMARY[f] = first ? "TCP" : sb.toString();
            TCP_FLAGS[f] = TCPFlags.newBuilder()
                    .setFIN((f & FIN) != 0).setSYN((f & SYN) != 0).setRST((f & RST) != 0)
                    .setPSH((f & PSH) != 0).setACK((f & ACK) != 0).setURG((f & URG) != 0)
                    .setECE((f & ECE) != 0).setCWR((f & CWR) != 0).build();
        }
    }

    public static String tcp(int flags) {
        return TCP_SUMMARY[flags & 0xff];
    }

    public static TCPFlags tcpFlags(int flags) {
        return TCP_FLAGS[flags & 0xff];
    }

    /** The flag byte of a TCPFlags message (NS has no bit in our events and is ignored). */
    public static int flagByte(TCPFlags f) {
        return (f.getFIN() ? FIN : 0) | (f.getSYN() ? SYN : 0) | (f.getRST() ? RST : 0)
                | (f.getPSH() ? PSH : 0) | (f.getACK() ? ACK : 0) | (f.getURG() ? URG : 0)
                | (f.getECE() ? ECE : 0) | (f.getCWR() ? CWR : 0);
    }

    private static final String[] ICMP4 = new String[256];
    private static final String[] ICMP6 = new String[256];

    static {
        for (int t = 0; t < 256; t++) {
            ICMP4[t] = "ICMPv4 " + icmp4Name(t);
            ICMP6[t] = "ICMPv6 " + icmp6Name(t);
        }
    }

    public static String icmpv4(int type) {
        return ICMP4[type & 0xff];
    }

    public static String icmpv6(int type) {
        return ICMP6[type & 0xff];
    }

    private static String icmp4Name(int t) {
        switch (t) {
            case 0: return "EchoReply";
            case 3: return "DestinationUnreachable";
            case 4: return "SourceQuench";
            case 5: return "Redirect";
            case 8: return "EchoRequest";
            case 9: return "RouterAdvertisement";
            case 10: return "RouterSolicitation";
            case 11: return "TimeExceeded";
            case 12: return "ParameterProblem";
            case 13: return "TimestampRequest";
            case 14: return "TimestampReply";
            default: return "Type(" + t + ")";
        }
    }

    private static String icmp6Name(int t) {
        switch (t) {
            case 1: return "DestinationUnreachable";
            case 2: return "PacketTooBig";
            case 3: return "TimeExceeded";
            case 4: return "ParameterProblem";
            case 128: return "EchoRequest";
            case 129: return "EchoReply";
            case 133: return "RouterSolicitation";
            case 134: return "RouterAdvertisement";
            case 135: return "NeighborSolicitation";
            case 136: return "NeighborAdvertisement";
            case 137: return "Redirect";
            default: return "Type(" + t + ")";
        }
    }
}
