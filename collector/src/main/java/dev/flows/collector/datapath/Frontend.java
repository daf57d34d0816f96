package dev.flows.collector.datapath;

import dev.flows.observer.net.Ipv4Prefix;

/**
 * Where clients send a service's traffic: (ClusterIP, port, protocol), or (this node's address,
 * nodePort, protocol) for a NodePort. The key of flows_lb_services.
 *
 * @param address big-endian IPv4
 * @param protocol 6 (TCP) or 17 (UDP)
 */
public record Frontend(int address, int port, int protocol, boolean nodePort) {
    public static final int TCP = 6;
    public static final int UDP = 17;

    @Override
    public String toString() {
        return Ipv4Prefix.format(address) + ":" + port + "/" + (protocol == TCP ? "TCP" : protocol == UDP ? "UDP" : protocol)
                + (nodePort ? " (NodePort)" : "");
    }
}
