package dev.flows.bench;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Namespace;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.cluster.Service;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The datapath bench's own two-node cluster in network namespaces, all named {@code flows-bench-*}
 * so it never meets the lab: node-a with the client pod, node-b with two server pods, the nodes
 * joined by one veth (their uplinks, eth0), each pod by a veth into its node ({@code lxc*}, as
 * the collector expects). Routes name the bench's ranges only; nothing reaches the machine.
 * {@link #close} deletes every namespace (their veths, filters and rules go with them).
 */
final class BenchNetwork implements AutoCloseable {
    static final String PREFIX = "flows-bench-";
    static final String NODE_A = PREFIX + "node-a";
    static final String NODE_B = PREFIX + "node-b";
    static final String CLIENT = PREFIX + "client";
    static final List<String> SERVERS = List.of(PREFIX + "server-0", PREFIX + "server-1");
    static final String CLIENT_IP = "10.244.1.10";
    static final List<String> SERVER_IPS = List.of("10.244.2.10", "10.244.2.11");
    static final int SERVER_PORT = 8080;
    static final String SERVICE_CIDR = "10.96.0.0/16";
    private static final String GATEWAY = "169.254.1.1";
    private static final List<Node> NODES = List.of(new Node("node-a", "192.168.211.1", "10.244.1.0/24"),
            new Node("node-b", "192.168.211.2", "10.244.2.0/24"));

    private final List<String> created = new ArrayList<>();

    /** Builds the network, or removes what it built and fails with one line. */
    static BenchNetwork build() {
        List<String> left = leftovers();
        if (!left.isEmpty()) {
            throw new IllegalStateException("namespaces of another datapath bench exist (" + String.join(", ", left)
                    + "); is one running? if not, remove them with 'ip netns del NAME'");
        }
        BenchNetwork n = new BenchNetwork();
        try {
            n.buildAll();
            return n;
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
    }

    private void buildAll() {
        netns(NODE_A, true);
        netns(NODE_B, true);
        ip("-n", NODE_A, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", NODE_B);
        for (int i = 0; i < 2; i++) {
            String ns = i == 0 ? NODE_A : NODE_B;
            Node self = NODES.get(i);
            Node other = NODES.get(1 - i);
            ip("-n", ns, "addr", "add", self.internalIP() + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            ip("-n", ns, "route", "add", other.podCIDR(), "via", other.internalIP(), "dev", "eth0");
        }
        pod(CLIENT, CLIENT_IP, NODE_A, "lxcclient");
        // the client closes first: its TIME_WAIT sockets must not run it out of ports in a few seconds
        run(true, "ip", "netns", "exec", CLIENT, "sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1", "net.ipv4.ip_local_port_range=1024 65000");
        pod(SERVERS.get(0), SERVER_IPS.get(0), NODE_B, "lxcserver0");
        pod(SERVERS.get(1), SERVER_IPS.get(1), NODE_B, "lxcserver1");
    }

    private void pod(String ns, String ip, String node, String lxc) {
        netns(ns, false);
        ip("-n", node, "link", "add", lxc, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("-n", node, "addr", "add", GATEWAY + "/32", "dev", lxc);
        ip("-n", node, "link", "set", lxc, "up");
        ip("-n", node, "route", "add", ip + "/32", "dev", lxc);
        ip("-n", ns, "addr", "add", ip + "/32", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "route", "add", GATEWAY, "dev", "eth0", "scope", "link");
        for (String range : List.of("10.244.0.0/16", SERVICE_CIDR)) {
            ip("-n", ns, "route", "add", range, "via", GATEWAY, "dev", "eth0", "onlink");
        }
    }

    private void netns(String name, boolean forwarding) {
        created.add(name);
        ip("netns", "add", name);
        run(true, "ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1", "net.ipv4.ip_forward=" + (forwarding ? 1 : 0));
        ip("-n", name, "link", "set", "lo", "up");
    }

    /**
     * The cluster as the collectors see it: two nodes, the three pods, and {@code services}
     * ClusterIP services on port 80 that all select both servers; the last one is {@link #lastService}.
     */
    static ClusterState cluster(int services) {
        List<Pod> pods = new ArrayList<>();
        pods.add(new Pod("bench", "client", Map.of("app", "client"), Map.of(), "node-a", CLIENT_IP, List.of()));
        for (int i = 0; i < SERVER_IPS.size(); i++) {
            pods.add(new Pod("bench", "server-" + i, Map.of("app", "server"), Map.of(), "node-b", SERVER_IPS.get(i), List.of()));
        }
        List<Service> svcs = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            svcs.add(new Service("bench", "svc-" + i, "ClusterIP", serviceIP(i), Map.of("app", "server"),
                    List.of(new Service.Port("http", "TCP", 80, String.valueOf(SERVER_PORT), 0))));
        }
        return new ClusterState(NODES, List.of(new Namespace("bench", Map.of())), pods, svcs);
    }

    /** The ClusterIP of service i (0-based, up to 65,000). */
    static String serviceIP(int i) {
        return "10.96." + (i / 250) + "." + (i % 250 + 1);
    }

    static String lastService(int services) {
        return serviceIP(services - 1);
    }

    static Node node(String netns) {
        return NODES.get(netns.equals(NODE_A) ? 0 : 1);
    }

    /** The tc filters on an interface of a node, empty when nothing is attached. */
    static String filters(String netns, String ifname) {
        return run(true, "tc", "-n", netns, "filter", "show", "dev", ifname, "ingress")
                + run(true, "tc", "-n", netns, "filter", "show", "dev", ifname, "egress");
    }

    /** Loads rules into a node's tables with iptables-restore (which replaces only the tables it names). */
    static void iptablesRestore(String netns, Path rules) {
        run(true, "ip", "netns", "exec", netns, "iptables-restore", rules.toString());
    }

    static List<String> leftovers() {
        return run(true, "ip", "netns", "list").lines().map(l -> l.split(" ")[0]).filter(l -> l.startsWith(PREFIX)).toList();
    }

    @Override
    public void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            run(false, "ip", "netns", "del", created.get(i));
        }
        created.clear();
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        run(true, cmd.toArray(String[]::new));
    }

    private static String run(boolean check, String... cmd) {
        try {
            Path err = Files.createTempFile("flows-bench-", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).redirectError(err.toFile()).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out: " + String.join(" ", cmd));
                }
                if (check && p.exitValue() != 0) {
                    throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + ": "
                            + Files.readString(err).strip().replace('\n', ' '));
                }
                return out;
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", cmd));
        }
    }
}
