package dev.flows.observer.tls;

/**
 * The names certificates are issued for and checked against, defined once. As hubble-relay checks
 * an agent as {@code <node>.<cluster>.hubble-grpc.cilium.io}, the relay checks a collector as
 * {@code <node>.flows-collector.flows.dev}, whatever address it dials; clients check the relay as
 * {@link #RELAY}.
 */
public final class ServerNames {
    public static final String COLLECTOR_DOMAIN = "flows-collector.flows.dev";
    public static final String RELAY = "relay.flows.dev";

    private ServerNames() {}

    /**
     * The name a collector's certificate carries (a DNS SAN) for the node it runs on. A node name's
     * dots become dashes (ip-10-0-1-5.ec2.internal: ip-10-0-1-5-ec2-internal), so that the name is
     * one label under the domain and one wildcard certificate, {@code *.flows-collector.flows.dev},
     * serves every node.
     */
    public static String collector(String nodeName) {
        return nodeName.replace('.', '-') + "." + COLLECTOR_DOMAIN;
    }
}
