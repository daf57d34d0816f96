package dev.flows.collector.datapath;

import dev.flows.observer.net.Ipv4Prefix;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.EndpointSlice;
import dev.flows.cluster.Pod;
import dev.flows.cluster.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * What the service maps of one node should hold, computed from cluster state: per service
 * (namespace/name), each frontend with its ready backends in a stable order.
 *
 * <p>ClusterIP, NodePort and LoadBalancer services are programmed (headless and ExternalName
 * ones have nothing to translate). A NodePort frontend is this node's address and the port's
 * nodePort. Backends come from the service's EndpointSlices when it has any, else from the ready
 * pods its selector matches; a named targetPort resolves to each pod's container port of that
 * name and protocol, and pods without one are no backend for that port, as in Kubernetes. SCTP
 * ports are skipped (the datapath translates TCP and UDP); so are services with a non-IPv4
 * ClusterIP.
 */
public final class DesiredServices {
    private DesiredServices() {}

    /** One service's frontends and their backends (sorted). */
    public record ServiceSpec(String namespace, String name, Map<Frontend, List<Backend>> frontends) {
        public String key() {
            return namespace + "/" + name;
        }
    }

    /**
     * @param nodeIp this node's address (big-endian), 0 when unknown: no NodePort frontends then
     * @param notes one line per port skipped and why
     */
    public static Map<String, ServiceSpec> of(ClusterState state, int nodeIp, Consumer<String> notes) {
        PodIndex pods = new PodIndex(state.pods());
        Map<String, List<EndpointSlice>> slices = new HashMap<>();
        for (EndpointSlice s : state.endpointSlices()) {
            slices.computeIfAbsent(s.namespace() + "/" + s.serviceName(), k -> new ArrayList<>()).add(s);
        }
        Map<String, ServiceSpec> out = new LinkedHashMap<>();
        for (Service svc : state.services()) {
            if (svc.type().equals("ExternalName") || svc.clusterIP().isEmpty() || svc.clusterIP().equals("None")) {
                continue;
            }
            out.put(svc.namespace() + "/" + svc.name(), of(svc, slices.get(svc.namespace() + "/" + svc.name()), pods, nodeIp, notes));
        }
        return out;
    }

    /**
     * One service's spec.
     *
     * @param slices its EndpointSlices, or null to use its selector
     */
    public static ServiceSpec of(Service svc, List<EndpointSlice> slices, PodIndex pods, int nodeIp, Consumer<String> notes) {
        String key = svc.namespace() + "/" + svc.name();
        int vip = Ipv4Prefix.address(svc.clusterIP());
        boolean nodePorts = !svc.type().equals("ClusterIP") && nodeIp != 0;
        Map<Frontend, List<Backend>> frontends = new LinkedHashMap<>();
        for (Service.Port p : svc.ports()) {
            int proto = switch (p.protocol()) {
                case "TCP" -> Frontend.TCP;
                case "UDP" -> Frontend.UDP;
                default -> 0;
            };
            if (proto == 0) {
                notes.accept("service " + key + " port " + p.port() + "/" + p.protocol() + ": not translated (TCP and UDP only)");
                continue;
            }
            List<Backend> backends = slices != null ? fromSlices(slices, p) : fromSelector(pods, svc, p);
            frontends.put(new Frontend(vip, p.port(), proto, false), backends);
            if (nodePorts && p.nodePort() > 0) {
                frontends.put(new Frontend(nodeIp, p.nodePort(), proto, true), backends);
            }
        }
        return new ServiceSpec(svc.namespace(), svc.name(), Map.copyOf(frontends));
    }

    /** Pods by namespace and label, so a selector looks only at pods that carry one of its labels. */
    public static final class PodIndex {
        private final Map<String, List<Pod>> byLabel = new HashMap<>();

        public PodIndex(List<Pod> pods) {
            for (Pod p : pods) {
                p.labels().forEach((k, v) -> byLabel.computeIfAbsent(p.namespace() + "\0" + k + "=" + v, x -> new ArrayList<>()).add(p));
            }
        }

        /** The pods of ns whose labels hold every entry of selector (non-empty). */
        List<Pod> select(String ns, Map<String, String> selector) {
            List<Pod> smallest = null;
            for (Map.Entry<String, String> e : selector.entrySet()) {
                List<Pod> c = byLabel.getOrDefault(ns + "\0" + e.getKey() + "=" + e.getValue(), List.of());
                if (smallest == null || c.size() < smallest.size()) {
                    smallest = c;
                }
            }
            List<Pod> out = new ArrayList<>();
            for (Pod p : smallest) {
                if (p.labels().entrySet().containsAll(selector.entrySet())) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    private static List<Backend> fromSlices(List<EndpointSlice> slices, Service.Port p) {
        Set<Backend> out = new TreeSet<>();
        for (EndpointSlice s : slices) {
            for (EndpointSlice.Port sp : s.ports()) {
                if (!sp.name().equals(p.name()) || !sp.protocol().equals(p.protocol())) {
                    continue;
                }
                for (EndpointSlice.Endpoint e : s.endpoints()) {
                    if (e.ready()) {
                        e.addresses().forEach(a -> out.add(new Backend(Ipv4Prefix.address(a), sp.port())));
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    private static List<Backend> fromSelector(PodIndex pods, Service svc, Service.Port p) {
        Set<Backend> out = new TreeSet<>();
        if (svc.selector().isEmpty()) {
            return List.of(); // endpoints are managed by hand (EndpointSlices); without them, none
        }
        boolean numeric = p.targetPort().chars().allMatch(Character::isDigit);
        for (Pod pod : pods.select(svc.namespace(), svc.selector())) {
            if (!pod.ready() || pod.podIP().isEmpty()) {
                continue;
            }
            int port = numeric ? Integer.parseInt(p.targetPort()) : named(pod, p.targetPort(), p.protocol());
            if (port > 0) {
                out.add(new Backend(Ipv4Prefix.address(pod.podIP()), port));
            }
        }
        return List.copyOf(out);
    }

    private static int named(Pod pod, String name, String protocol) {
        for (Pod.ContainerPort cp : pod.ports()) {
            if (cp.name().equals(name) && cp.protocol().equals(protocol)) {
                return cp.port();
            }
        }
        return 0;
    }
}
