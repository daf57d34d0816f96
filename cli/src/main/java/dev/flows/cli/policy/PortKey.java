package dev.flows.cli.policy;

/**
 * What a rule allows on a peer: a protocol and the server's port. ICMP has no port, and
 * NetworkPolicy cannot name it: it is allowed only by a rule without ports (every protocol).
 */
record PortKey(String protocol, int port) implements Comparable<PortKey> {
    static final String ICMP = "ICMP";

    boolean portless() {
        return protocol.equals(ICMP);
    }

    @Override
    public int compareTo(PortKey o) {
        int c = protocol.compareTo(o.protocol);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return portless() ? protocol : protocol + "/" + port;
    }
}
