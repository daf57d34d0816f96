package dev.flows.lab;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.observer.net.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The lab's workloads, read from two pod annotations:
 *
 * <ul>
 *   <li>{@code flows.dev/serve: "tcp:8080, udp:5353"}: servers the pod runs.
 *   <li>{@code flows.dev/call: "tcp://shop/cart-1:8080 every 200ms; udp://infra/dns-1:5353 every 1s"}:
 *       clients; targets are pods (namespace/name), resolved to their podIP, or services
 *       ({@code tcp://svc/shop/cart:8080}), resolved to their ClusterIP.
 * </ul>
 *
 * Targets must resolve to an IP inside a node's podCIDR or the lab's service range: a lab client
 * never sends anything outside the lab.
 */
public final class WorkloadSpec {
    public static final String SERVE = "flows.dev/serve";
    public static final String CALL = "flows.dev/call";

    private static final Pattern SERVE_ITEM = Pattern.compile("(tcp|udp):(\\d{1,5})");
    private static final Pattern CALL_ITEM =
            Pattern.compile("(tcp|udp)://([^/\\s]+)/([^:\\s]+):(\\d{1,5})\\s+every\\s+(\\d+)(ms|s)");

    /** A server: protocol "tcp" or "udp" and a port. */
    public record Serve(String protocol, int port) {}

    /** A client: every intervalMs, one request to target (ns/pod, or svc/ns/name) at targetIP:port. */
    public record Call(String protocol, String target, String targetIP, int port, long intervalMs) {}

    /** What one pod runs. */
    public record PodWorkload(Pod pod, String netns, List<Serve> serves, List<Call> calls) {}

    private WorkloadSpec() {}

    /** Reads and validates the workloads of every pod that has any. */
    public static List<PodWorkload> of(ClusterState state) {
        Map<String, Pod> byName = state.pods().stream().collect(Collectors.toMap(Pod::fullName, Function.identity()));
        Map<String, String> serviceIPs = new java.util.HashMap<>();
        state.services().forEach(s -> serviceIPs.put(s.namespace() + "/" + s.name(), s.clusterIP()));
        List<PodWorkload> out = new ArrayList<>();
        for (Pod pod : state.pods()) {
            List<Serve> serves = serves(pod);
            List<Call> calls = calls(pod, byName, serviceIPs, state.nodes());
            if (!serves.isEmpty() || !calls.isEmpty()) {
                out.add(new PodWorkload(pod, LabNames.podNetns(pod), serves, calls));
            }
        }
        return out;
    }

    static List<Serve> serves(Pod pod) {
        String value = pod.annotations().getOrDefault(SERVE, "").strip();
        List<Serve> out = new ArrayList<>();
        if (value.isEmpty()) {
            return out;
        }
        for (String item : value.split("[,;\\s]+")) {
            Matcher m = SERVE_ITEM.matcher(item);
            if (!m.matches()) {
                throw bad(pod, SERVE, item, "tcp:PORT or udp:PORT, separated by commas");
            }
            out.add(new Serve(m.group(1), port(pod, SERVE, item, m.group(2))));
        }
        return out;
    }

    static List<Call> calls(Pod pod, Map<String, Pod> pods, List<Node> nodes) {
        return calls(pod, pods, Map.of(), nodes);
    }

    static List<Call> calls(Pod pod, Map<String, Pod> pods, Map<String, String> serviceIPs, List<Node> nodes) {
        String value = pod.annotations().getOrDefault(CALL, "").strip();
        List<Call> out = new ArrayList<>();
        if (value.isEmpty()) {
            return out;
        }
        for (String raw : value.split(";")) {
            String item = raw.strip().replaceAll("\\s+", " ");
            if (item.isEmpty()) {
                continue;
            }
            Matcher m = CALL_ITEM.matcher(item);
            if (!m.matches()) {
                throw bad(pod, CALL, item, "PROTO://NAMESPACE/POD:PORT or PROTO://svc/NAMESPACE/SERVICE:PORT every N(ms|s), "
                        + "e.g. tcp://shop/cart-1:8080 every 200ms");
            }
            long every = Long.parseLong(m.group(5)) * (m.group(6).equals("s") ? 1000 : 1);
            if (m.group(2).equals("svc")) {
                String service = m.group(3);
                String vip = serviceIPs.get(service);
                if (vip == null || !inCidr(vip, LabNames.SERVICE_CIDR)) {
                    throw bad(pod, CALL, item, "a service of this cluster with a ClusterIP in " + LabNames.SERVICE_CIDR
                            + " (" + service + (vip == null ? " is no service" : " has " + vip) + ")");
                }
                if (every < 10) {
                    throw bad(pod, CALL, item, "an interval of at least 10ms");
                }
                out.add(new Call(m.group(1), "svc/" + service, vip, port(pod, CALL, item, m.group(4)), every));
                continue;
            }
            String target = m.group(2) + "/" + m.group(3);
            Pod t = pods.get(target);
            if (t == null || t.podIP().isEmpty()) {
                throw bad(pod, CALL, item, "a target that is a pod with a podIP in this cluster (" + target + " is not)");
            }
            if (nodes.stream().noneMatch(n -> inCidr(t.podIP(), n.podCIDR()))) {
                throw bad(pod, CALL, item, "a target whose podIP is inside a node's podCIDR (" + t.podIP() + " is not)");
            }
            long interval = Long.parseLong(m.group(5)) * (m.group(6).equals("s") ? 1000 : 1);
            if (interval < 10) {
                throw bad(pod, CALL, item, "an interval of at least 10ms");
            }
            out.add(new Call(m.group(1), target, t.podIP(), port(pod, CALL, item, m.group(4)), interval));
        }
        return out;
    }

    /** True if the address lies in the prefix; false for an empty prefix. */
    public static boolean inCidr(String ip, String cidr) {
        return cidr != null && !cidr.isEmpty() && Cidr.parse(cidr).contains(ip);
    }

    private static int port(Pod pod, String annotation, String item, String digits) {
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw bad(pod, annotation, item, "a port 1-65535");
        }
        return port;
    }

    private static LabException bad(Pod pod, String annotation, String item, String valid) {
        return new LabException("Pod " + pod.fullName() + ": annotation " + annotation + ": '" + item + "'; expected " + valid);
    }
}
