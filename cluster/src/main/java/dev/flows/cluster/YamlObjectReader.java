package dev.flows.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one Kubernetes object of a YAML document into a {@link ClusterBuilder}, checking every
 * field flows uses; knows where it is (file, kind, name) so every message can say so.
 */
final class YamlObjectReader {
    private static final Pattern REPLICASET_OF_DEPLOYMENT = Pattern.compile("^(.+)-[a-z0-9]{5,10}$");
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");
    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
    private static final Set<String> SERVICE_TYPES = Set.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");

    private final Consumer<String> notes;
    private final String file;
    private final Map<?, ?> doc;
    private String what;

    YamlObjectReader(String file, int index, Map<?, ?> doc, Consumer<String> notes) {
        this.notes = notes;
        this.file = file;
        this.doc = doc;
        this.what = "document " + index;
    }

    void readInto(ClusterBuilder b) {
        Object o = read();
        if (o instanceof Node n) {
            b.add(file, what, b.nodes, n.name(), n);
        } else if (o instanceof Namespace n) {
            b.add(file, what, b.namespaces, n.name(), n);
        } else if (o instanceof Pod pod) {
            b.add(file, what, b.pods, pod.fullName(), pod);
            b.podSources.put(pod.fullName(), file);
        } else if (o instanceof Service svc) {
            b.add(file, what, b.services, svc.namespace() + "/" + svc.name(), svc);
        } else if (o instanceof EndpointSlice es) {
            b.add(file, what, b.endpointSlices, es.namespace() + "/" + es.name(), es);
        } else if (o instanceof NetworkPolicy np) {
            b.add(file, what, b.policies, np.fullName(), np);
        }
    }

    /**
     * The object as the model holds it (a {@link Node}, {@link Namespace}, {@link Pod}, {@link Service},
     * {@link EndpointSlice} or {@link NetworkPolicy}), or null for a kind flows does not read (noted).
     */
    Object read() {
        Object kindValue = doc.get("kind");
        if (!(kindValue instanceof String kind) || kind.isBlank()) {
            throw fail("has no kind", "kind", kindValue, "one of Node, Namespace, Pod, Service, NetworkPolicy");
        }
        Map<?, ?> meta = map(doc, "metadata");
        String name = str(meta, "name");
        if (name == null || name.isBlank()) {
            what = kind + " in " + what;
            throw fail("has no name", "metadata.name", null, "a non-empty name");
        }
        switch (kind) {
            case "Node" -> {
                what = "Node " + name;
                return node(name);
            }
            case "Namespace" -> {
                what = "Namespace " + name;
                return new Namespace(name, strMap(meta, "labels"));
            }
            case "Pod" -> {
                String ns = namespaceOf(meta);
                what = "Pod " + ns + "/" + name;
                return pod(ns, name, meta);
            }
            case "Service" -> {
                String ns = namespaceOf(meta);
                what = "Service " + ns + "/" + name;
                return service(ns, name, meta);
            }
            case "EndpointSlice" -> {
                String ns = namespaceOf(meta);
                what = "EndpointSlice " + ns + "/" + name;
                return endpointSlice(ns, name, meta);
            }
            case "NetworkPolicy" -> {
                String ns = namespaceOf(meta);
                what = "NetworkPolicy " + ns + "/" + name;
                return new NetworkPolicyReader(this::fail).read(ns, name, doc.get("spec"));
            }
            default -> {
                notes.accept(file + ": skipping " + kind + " " + name + " (flows reads Node, Namespace, Pod, Service, EndpointSlice, NetworkPolicy)");
                return null;
            }
        }
    }

    private String namespaceOf(Map<?, ?> meta) {
        String ns = str(meta, "namespace");
        return ns == null || ns.isBlank() ? "default" : ns;
    }

    private Node node(String name) {
        Map<?, ?> spec = map(doc, "spec");
        Map<?, ?> status = map(doc, "status");
        String internalIP = "";
        for (Object a : list(status, "addresses", "status.addresses")) {
            if (a instanceof Map<?, ?> addr && "InternalIP".equals(str(addr, "type"))) {
                internalIP = ipv4(str(addr, "address"), "status.addresses[InternalIP]");
            }
        }
        if (internalIP.isEmpty()) {
            throw fail("has no InternalIP", "status.addresses", null, "an entry {type: InternalIP, address: <IPv4>}");
        }
        String cidr = str(spec, "podCIDR");
        return new Node(name, internalIP, cidr == null ? "" : cidr(cidr, "spec.podCIDR"));
    }

    private Pod pod(String ns, String name, Map<?, ?> meta) {
        Map<?, ?> spec = map(doc, "spec");
        Map<?, ?> status = map(doc, "status");
        List<Pod.Workload> workloads = new ArrayList<>();
        for (Object o : list(meta, "ownerReferences", "metadata.ownerReferences")) {
            if (!(o instanceof Map<?, ?> ref) || str(ref, "kind") == null || str(ref, "name") == null) {
                throw fail("has an invalid owner reference", "metadata.ownerReferences", o, "entries with kind and name");
            }
            workloads.add(workload(str(ref, "kind"), str(ref, "name")));
        }
        String node = str(spec, "nodeName");
        String ip = str(status, "podIP");
        return new Pod(ns, name, strMap(meta, "labels"), strMap(meta, "annotations"),
                node == null ? "" : node, ip == null ? "" : ipv4(ip, "status.podIP"), List.copyOf(workloads),
                containerPorts(spec), ready(status));
    }

    /** The ports of every container; named ones are what named targetPorts and NetworkPolicy ports resolve to. */
    private List<Pod.ContainerPort> containerPorts(Map<?, ?> spec) {
        List<Pod.ContainerPort> out = new ArrayList<>();
        List<?> containers = list(spec, "containers", "spec.containers");
        for (int c = 0; c < containers.size(); c++) {
            if (!(containers.get(c) instanceof Map<?, ?> container)) {
                throw fail("has an invalid container", "spec.containers[" + c + "]", containers.get(c), "a mapping");
            }
            List<?> ports = list(container, "ports", "spec.containers[" + c + "].ports");
            for (int i = 0; i < ports.size(); i++) {
                String field = "spec.containers[" + c + "].ports[" + i + "]";
                if (!(ports.get(i) instanceof Map<?, ?> p)) {
                    throw fail("has an invalid container port", field, ports.get(i), "a mapping with containerPort");
                }
                String portName = str(p, "name");
                out.add(new Pod.ContainerPort(portName == null ? "" : portName,
                        port(p.get("containerPort"), field + ".containerPort", false), protocol(p, field)));
            }
        }
        return List.copyOf(out);
    }

    /** Ready unless a Ready condition says otherwise: lab pods carry no conditions. */
    private boolean ready(Map<?, ?> status) {
        for (Object o : list(status, "conditions", "status.conditions")) {
            if (o instanceof Map<?, ?> c && "Ready".equals(str(c, "type"))) {
                return "True".equals(str(c, "status"));
            }
        }
        return true;
    }

    private String protocol(Map<?, ?> p, String field) {
        String protocol = str(p, "protocol");
        protocol = protocol == null ? "TCP" : protocol;
        if (!PROTOCOLS.contains(protocol)) {
            throw fail("has an unknown protocol", field + ".protocol", protocol, "TCP, UDP or SCTP");
        }
        return protocol;
    }

    private EndpointSlice endpointSlice(String ns, String name, Map<?, ?> meta) {
        String service = strMap(meta, "labels").get("kubernetes.io/service-name");
        if (service == null || service.isBlank()) {
            throw fail("names no service", "metadata.labels[kubernetes.io/service-name]", null, "the name of its Service");
        }
        String type = str(doc, "addressType");
        if (type != null && !type.equals("IPv4")) {
            throw fail("has an unsupported addressType", "addressType", type, "IPv4");
        }
        List<EndpointSlice.Endpoint> endpoints = new ArrayList<>();
        List<?> raw = list(doc, "endpoints", "endpoints");
        for (int i = 0; i < raw.size(); i++) {
            String field = "endpoints[" + i + "]";
            if (!(raw.get(i) instanceof Map<?, ?> e)) {
                throw fail("has an invalid endpoint", field, raw.get(i), "a mapping with addresses");
            }
            List<String> addresses = new ArrayList<>();
            for (Object a : list(e, "addresses", field + ".addresses")) {
                addresses.add(ipv4(a == null ? null : String.valueOf(a), field + ".addresses"));
            }
            Object readyValue = map(e, "conditions").get("ready");
            endpoints.add(new EndpointSlice.Endpoint(List.copyOf(addresses), readyValue == null || Boolean.TRUE.equals(readyValue)));
        }
        List<EndpointSlice.Port> ports = new ArrayList<>();
        List<?> rawPorts = list(doc, "ports", "ports");
        for (int i = 0; i < rawPorts.size(); i++) {
            String field = "ports[" + i + "]";
            if (!(rawPorts.get(i) instanceof Map<?, ?> p)) {
                throw fail("has an invalid port", field, rawPorts.get(i), "a mapping with port");
            }
            String portName = str(p, "name");
            ports.add(new EndpointSlice.Port(portName == null ? "" : portName, port(p.get("port"), field + ".port", false),
                    protocol(p, field)));
        }
        return new EndpointSlice(ns, name, service, List.copyOf(endpoints), List.copyOf(ports));
    }

    private Service service(String ns, String name, Map<?, ?> meta) {
        Map<?, ?> spec = map(doc, "spec");
        String type = str(spec, "type");
        if (type == null) {
            type = "ClusterIP";
        } else if (!SERVICE_TYPES.contains(type)) {
            throw fail("has an unknown type", "spec.type", type, "one of " + String.join(", ", SERVICE_TYPES.stream().sorted().toList()));
        }
        String clusterIP = str(spec, "clusterIP");
        if (clusterIP == null) {
            clusterIP = "";
        } else if (!clusterIP.equals("None")) {
            clusterIP = ipv4(clusterIP, "spec.clusterIP");
        }
        List<Service.Port> ports = new ArrayList<>();
        List<?> raw = list(spec, "ports", "spec.ports");
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof Map<?, ?> p)) {
                throw fail("has an invalid port", "spec.ports[" + i + "]", raw.get(i), "a mapping with port");
            }
            String field = "spec.ports[" + i + "]";
            String protocol = str(p, "protocol");
            protocol = protocol == null ? "TCP" : protocol;
            if (!PROTOCOLS.contains(protocol)) {
                throw fail("has an unknown protocol", field + ".protocol", protocol, "TCP, UDP or SCTP");
            }
            int port = port(p.get("port"), field + ".port", false);
            Object target = p.get("targetPort");
            String targetPort;
            if (target == null) {
                targetPort = Integer.toString(port);
            } else if (target instanceof Integer) {
                targetPort = Integer.toString(port(target, field + ".targetPort", false));
            } else if (target instanceof String s && s.matches("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?") && s.matches(".*[a-z].*")) {
                targetPort = s;
            } else if (target instanceof String s && s.matches("\\d+")) {
                targetPort = Integer.toString(port(s, field + ".targetPort", false));
            } else {
                throw fail("has an invalid targetPort", field + ".targetPort", target,
                        "a port number 1-65535 or a container port name (lowercase letters, digits, '-', at most 15)");
            }
            int nodePort = port(p.get("nodePort"), field + ".nodePort", true);
            String portName = str(p, "name");
            ports.add(new Service.Port(portName == null ? "" : portName, protocol, port, targetPort, nodePort));
        }
        return new Service(ns, name, type, clusterIP, strMap(spec, "selector"), List.copyOf(ports));
    }

    private Pod.Workload workload(String kind, String name) {
        if (kind.equals("ReplicaSet")) {
            Matcher m = REPLICASET_OF_DEPLOYMENT.matcher(name);
            if (m.matches()) {
                return new Pod.Workload("Deployment", m.group(1));
            }
        }
        return new Pod.Workload(kind, name);
    }

    private int port(Object value, String field, boolean optional) {
        if (value == null && optional) {
            return 0;
        }
        int p;
        if (value instanceof Integer i) {
            p = i;
        } else if (value instanceof String s && s.matches("\\d{1,6}")) {
            p = Integer.parseInt(s);
        } else {
            throw fail("has an invalid port", field, value, "a number 1-65535");
        }
        if (p < 1 || p > 65535) {
            throw fail("has a port out of range", field, value, "a number 1-65535");
        }
        return p;
    }

    private String ipv4(String value, String field) {
        if (value == null || !isIpv4(value)) {
            throw fail("has an invalid IP", field, value, "an IPv4 address such as 10.244.1.5");
        }
        return value;
    }

    private String cidr(String value, String field) {
        String[] parts = value.split("/", -1);
        if (parts.length != 2 || !isIpv4(parts[0]) || !parts[1].matches("\\d{1,2}") || Integer.parseInt(parts[1]) > 32) {
            throw fail("has an invalid CIDR", field, value, "an IPv4 prefix such as 10.244.1.0/24");
        }
        return value;
    }

    private Map<?, ?> map(Map<?, ?> parent, String key) {
        Object v = parent.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw fail("has an invalid " + key, key, v, "a mapping");
        }
        return m;
    }

    private List<?> list(Map<?, ?> parent, String key, String field) {
        Object v = parent.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw fail("has an invalid " + key, field, v, "a list");
        }
        return l;
    }

    private String str(Map<?, ?> parent, String key) {
        Object v = parent.get(key);
        return v == null ? null : String.valueOf(v);
    }

    private Map<String, String> strMap(Map<?, ?> parent, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        map(parent, key).forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        return Map.copyOf(out);
    }

    private YamlClusterLoader.InvalidClusterException fail(String problem, String field, Object value, String valid) {
        return new YamlClusterLoader.InvalidClusterException(file + ": " + what + " " + problem + ": " + field + " = "
                + (value == null ? "(missing)" : "'" + value + "'") + "; expected " + valid);
    }

    static boolean isIpv4(String s) {
        Matcher m = IPV4.matcher(s);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }
}
