package dev.flows.lab;

import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Every name the lab gives to what it creates, derived deterministically from the cluster YAML so
 * that a crashed lab can be found and removed, and so that the datapath can recognise pod veths
 * (host side "lxc...", as in Cilium).
 */
public final class LabNames {
    /** Every lab network namespace starts with this; {@code lab down} removes any leftover one. */
    public static final String NETNS_PREFIX = "flows-";
    public static final String FABRIC_NETNS = "flows-fabric";
    public static final String WORLD_NETNS = "flows-world";
    public static final String BRIDGE = "br0";
    /** The single link from the root namespace into the lab. */
    public static final String ROOT_LINK = "flows-lab0";
    public static final String ROOT_LINK_PEER = "lab0";
    /** Default state directory; FLOWS_LAB_DIR overrides it. */
    public static final String DEFAULT_STATE_DIR = "/run/flows-lab";
    public static final String PIN_ROOT = "/sys/fs/bpf/flows";
    public static final int COLLECTOR_PORT = 4244;
    /** The relay runs in the root namespace, reaching the collectors through the root link. */
    public static final String RELAY_ADDRESS = "127.0.0.1:4245";
    /** The relay's Prometheus /metrics, on loopback like its Observer API. */
    public static final String RELAY_METRICS_ADDRESS = "127.0.0.1:9965";
    /** Each collector's own /metrics, on its node IP (reachable from the root namespace over the root link). */
    public static final int COLLECTOR_METRICS_PORT = 9966;
    /** The gateway every pod uses; each host-side lxc veth holds it (so ARP needs no proxy). */
    public static final String POD_GATEWAY = "169.254.1.1";
    public static final String WORLD_CIDR = "203.0.113.0/24";
    public static final String WORLD_IP = "203.0.113.10";
    public static final String SERVICE_CIDR = "10.96.0.0/16";

    private LabNames() {}

    public static String nodeNetns(Node node) {
        return nodeNetns(node.name());
    }

    public static String nodeNetns(String node) {
        return "flows-node-" + node;
    }

    public static String podNetns(Pod pod) {
        return "flows-pod-" + pod.namespace() + "-" + pod.name();
    }

    /** Host-side veth of a pod in its node: "lxc" + 8 hex of a hash of ns/pod (12 chars). */
    public static String lxc(Pod pod) {
        return "lxc" + hash8(pod.fullName());
    }

    /** Fabric-side veth of a node's uplink. */
    public static String fabricPort(Node node) {
        return "nd" + hash8(node.name());
    }

    public static String pinDir(String node) {
        return PIN_ROOT + "/" + node;
    }

    private static String hash8(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
