package dev.flows.collector.datapath;

import dev.flows.collector.bpf.Ipv4Prefix;
import dev.flows.collector.cluster.ClusterState;
import dev.flows.collector.cluster.EndpointSlice;
import dev.flows.collector.cluster.Pod;
import dev.flows.collector.cluster.Service;
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
        Map<String, List<EndpointSlice>> slices = new HashMap<>();
        for (EndpointSlice s : state.endpointSlices()) {
            slices.computeIfAbsent(s.namespace() + "/" + s.serviceName(), k -> new ArrayList<>()).add(s);
        }
        Map<String, ServiceSpec> out = new LinkedHashMap<>();
        for (Service svc : state.services()) {
            if (svc.type().equals("ExternalName") || svc.clusterIP().isEmpty() || svc.clusterIP().equals("None")) {
                continue;
            }
            String key = svc.namespace() + "/" + svc.name();
            int vip = Ipv4Prefix.address(svc.clusterIP());
            boolean nodePorts = !svc.type().equals("ClusterIP") && nodeIp != 0;
            List<EndpointSlice> own = slices.get(key);
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
                List<Backend> backends = own != null ? fromSlices(own, p) : fromSelector(state, svc, p);
                frontends.put(new Frontend(vip, p.port(), proto, false), backends);
                if (nodePorts && p.nodePort() > 0) {
                    frontends.put(new Frontend(nodeIp, p.nodePort(), proto, true), backends);
                }
            }
            out.put(key, new ServiceSpec(svc.namespace(), svc.name(), Map.copyOf(frontends)));
        }
        return out;
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

    private static List<Backend> fromSelector(ClusterState state, Service svc, Service.Port p) {
        Set<Backend> out = new TreeSet<>();
        if (svc.selector().isEmpty()) {
            return List.of(); // endpoints are managed by hand (EndpointSlices); without them, none
        }
        boolean numeric = p.targetPort().chars().allMatch(Character::isDigit);
        for (Pod pod : state.pods()) {
            if (!pod.namespace().equals(svc.namespace()) || !pod.ready() || pod.podIP().isEmpty()
                    || !pod.labels().entrySet().containsAll(svc.selector().entrySet())) {
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
