package dev.flows.collector.datapath;

import dev.flows.observer.net.Ipv4Prefix;

/** A ready endpoint of a service port: pod address (big-endian IPv4) and target port. */
public record Backend(int address, int port) implements Comparable<Backend> {
    @Override
    public int compareTo(Backend o) {
        int c = Integer.compareUnsigned(address, o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return Ipv4Prefix.format(address) + ":" + port;
    }
}
