package dev.flows.cluster;

import static dev.flows.cluster.FieldChecks.each;
import static dev.flows.cluster.FieldChecks.strings;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's Kubernetes objects, as the API server sends them or as the YAML source reads them into
 * the same classes, onto the cluster model, checking every field flows uses: both sources accept
 * and refuse the same things, with the same one-line reasons ({@link FieldChecks}).
 *
 * <p>Pods are the bulk of a cluster, so the informer's own cache holds them cut to what flows
 * reads ({@link #slim}), not whole.
 */
final class KubeObjects {
    /** The kinds flows reads, and fabric8's model class of each (apiVersion may be left out in lab files). */
    static final Map<String, Class<? extends HasMetadata>> KINDS = kinds();

    // A Deployment's ReplicaSet is "<deployment>-<pod-template-hash>" (Hubble reports the Deployment).
    private static final Pattern REPLICASET_OF_DEPLOYMENT = Pattern.compile("^(.+)-[a-z0-9]{5,10}$");
    private static final Set<String> SERVICE_TYPES = new TreeSet<>(List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"));

    private static Map<String, Class<? extends HasMetadata>> kinds() {
        Map<String, Class<? extends HasMetadata>> k = new LinkedHashMap<>();
        k.put("Node", io.fabric8.kubernetes.api.model.Node.class);
        k.put("Namespace", io.fabric8.kubernetes.api.model.Namespace.class);
        k.put("Pod", io.fabric8.kubernetes.api.model.Pod.class);
        k.put("Service", io.fabric8.kubernetes.api.model.Service.class);
        k.put("EndpointSlice", io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class);
        k.put("NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
        return java.util.Collections.unmodifiableMap(k);
    }

    private KubeObjects() {}

    /**
     * How messages name an object: kind, then namespace/name ("default" when a file leaves the
     * namespace out), or the name alone for the cluster-wide kinds.
     */
    static String what(String kind, String namespace, String name) {
        boolean clusterWide = kind.equals("Node") || kind.equals("Namespace");
        return kind + " " + (clusterWide ? "" : (namespace == null || namespace.isBlank() ? "default" : namespace) + "/") + name;
    }

    /**
     * The model object ({@link Node}, {@link Pod}, ...) for {@code o}, an object of the API server.
     * Its pods are ready only once their Ready condition says so.
     *
     * @throws YamlClusterLoader.InvalidClusterException naming the object, the field and what is valid
     */
    static Object fromApi(HasMetadata o) {
        return read(o, "API server", false);
    }

    /**
     * Adds {@code o}, read from {@code file}, to {@code b}. Unlike the API server's pods, a file's
     * keep their annotations (the lab's workload definitions) and are ready unless they say
     * otherwise (lab pods carry no status conditions).
     */
    static void fromFile(HasMetadata o, String file, ClusterBuilder b) {
        Object m = read(o, file, true);
        String what = what(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
        if (m instanceof Node n) {
            b.add(file, what, b.nodes, n.name(), n);
        } else if (m instanceof Namespace n) {
            b.add(file, what, b.namespaces, n.name(), n);
        } else if (m instanceof Pod pod) {
            b.add(file, what, b.pods, pod.fullName(), pod);
            b.podSources.put(pod.fullName(), file);
        } else if (m instanceof Service svc) {
            b.add(file, what, b.services, svc.namespace() + "/" + svc.name(), svc);
        } else if (m instanceof EndpointSlice es) {
            b.add(file, what, b.endpointSlices, es.namespace() + "/" + es.name(), es);
        } else if (m instanceof NetworkPolicy np) {
            b.add(file, what, b.policies, np.fullName(), np);
        }
    }

    private static Object read(HasMetadata o, String source, boolean file) {
        ObjectMeta meta = o.getMetadata();
        String ns = meta.getNamespace() == null || meta.getNamespace().isBlank() ? "default" : meta.getNamespace();
        FieldChecks at = new FieldChecks(source, what(o.getKind(), ns, meta.getName()));
        if (o instanceof io.fabric8.kubernetes.api.model.Node n) {
            return node(n, at);
        } else if (o instanceof io.fabric8.kubernetes.api.model.Namespace n) {
            return new Namespace(meta.getName(), strings(meta.getLabels()));
        } else if (o instanceof io.fabric8.kubernetes.api.model.Pod p) {
            return pod(p, ns, at, file);
        } else if (o instanceof io.fabric8.kubernetes.api.model.Service s) {
            return service(s, ns, at);
        } else if (o instanceof io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice es) {
            return endpointSlice(es, ns, at);
        } else if (o instanceof io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy np) {
            return KubePolicies.read(np, ns, at);
        }
        throw new IllegalArgumentException("not a kind flows reads: " + o.getKind());
    }

    private static Node node(io.fabric8.kubernetes.api.model.Node n, FieldChecks at) {
        String internalIP = "";
        for (NodeAddress a : n.getStatus() == null ? List.<NodeAddress>of() : each(n.getStatus().getAddresses())) {
            if (a != null && "InternalIP".equals(a.getType())) {
                internalIP = at.ipv4(a.getAddress(), "status.addresses[InternalIP]");
            }
        }
        if (internalIP.isEmpty()) {
            throw at.fail("has no InternalIP", "status.addresses", null, "an entry {type: InternalIP, address: <IPv4>}");
        }
        String cidr = n.getSpec() == null ? null : n.getSpec().getPodCIDR();
        return new Node(n.getMetadata().getName(), internalIP, cidr == null ? "" : cidr(cidr, "spec.podCIDR", at));
    }

    private static String cidr(String value, String field, FieldChecks at) {
        String[] parts = value.split("/", -1);
        if (parts.length != 2 || !FieldChecks.isIpv4(parts[0]) || !parts[1].matches("\\d{1,2}") || Integer.parseInt(parts[1]) > 32) {
            throw at.fail("has an invalid CIDR", field, value, "an IPv4 prefix such as 10.244.1.0/24");
        }
        return value;
    }

    private static Pod pod(io.fabric8.kubernetes.api.model.Pod p, String ns, FieldChecks at, boolean file) {
        ObjectMeta meta = p.getMetadata();
        List<Pod.Workload> workloads = new ArrayList<>();
        for (OwnerReference r : each(meta.getOwnerReferences())) {
            if (r == null || r.getKind() == null || r.getName() == null) {
                throw at.fail("has an invalid owner reference", "metadata.ownerReferences",
                        r == null ? null : "{kind=" + r.getKind() + ", name=" + r.getName() + "}", "entries with kind and name");
            }
            workloads.add(workload(r.getKind(), r.getName()));
        }
        PodSpec spec = p.getSpec();
        PodStatus status = p.getStatus();
        String node = spec == null ? null : spec.getNodeName();
        String ip = status == null ? null : address(status, spec != null && Boolean.TRUE.equals(spec.getHostNetwork()));
        return new Pod(ns, meta.getName(), strings(meta.getLabels()), file ? strings(meta.getAnnotations()) : Map.of(),
                node == null ? "" : node, ip == null ? "" : at.ipv4(ip, "status.podIP"), List.copyOf(workloads),
                containerPorts(spec, at), ready(status, file));
    }

    /**
     * The pod's address: its first IPv4 one (dual-stack pods list both families). A host-network
     * pod's address is its node's and a finished pod's is free for another, so neither has one.
     */
    private static String address(PodStatus status, boolean hostNetwork) {
        boolean finished = "Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase());
        if (hostNetwork || finished) {
            return null;
        }
        String podIP = status.getPodIP();
        if (podIP != null && FieldChecks.isIpv4(podIP)) {
            return podIP;
        }
        for (PodIP ip : each(status.getPodIPs())) {
            if (ip != null && ip.getIp() != null && FieldChecks.isIpv4(ip.getIp())) {
                return ip.getIp();
            }
        }
        // the only address, when none is IPv4: refused by the caller, naming it
        return podIP == null || podIP.isEmpty() ? null : podIP;
    }

    /** The ports of every container; named ones are what named targetPorts and NetworkPolicy ports resolve to. */
    private static List<Pod.ContainerPort> containerPorts(PodSpec spec, FieldChecks at) {
        List<Pod.ContainerPort> out = new ArrayList<>();
        List<Container> containers = spec == null ? List.of() : each(spec.getContainers());
        for (int c = 0; c < containers.size(); c++) {
            if (containers.get(c) == null) {
                throw at.fail("has an invalid container", "spec.containers[" + c + "]", null, "a mapping");
            }
            List<ContainerPort> ports = each(containers.get(c).getPorts());
            for (int i = 0; i < ports.size(); i++) {
                String field = "spec.containers[" + c + "].ports[" + i + "]";
                ContainerPort p = ports.get(i);
                if (p == null) {
                    throw at.fail("has an invalid container port", field, null, "a mapping with containerPort");
                }
                out.add(new Pod.ContainerPort(p.getName() == null ? "" : p.getName(),
                        at.port(p.getContainerPort(), field + ".containerPort", false), at.protocol(p.getProtocol(), field)));
            }
        }
        return List.copyOf(out);
    }

    /** What the Ready condition says; without one, a file's pod is ready and an API server's is not yet. */
    private static boolean ready(PodStatus status, boolean file) {
        for (PodCondition c : status == null ? List.<PodCondition>of() : each(status.getConditions())) {
            if (c != null && "Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return file;
    }

    private static Pod.Workload workload(String kind, String name) {
        if (kind.equals("ReplicaSet")) {
            Matcher m = REPLICASET_OF_DEPLOYMENT.matcher(name);
            if (m.matches()) {
                return new Pod.Workload("Deployment", m.group(1));
            }
        }
        return new Pod.Workload(kind, name);
    }

    private static Service service(io.fabric8.kubernetes.api.model.Service s, String ns, FieldChecks at) {
        ServiceSpec spec = s.getSpec() == null ? new ServiceSpec() : s.getSpec();
        String type = spec.getType();
        if (type == null) {
            type = "ClusterIP";
        } else if (!SERVICE_TYPES.contains(type)) {
            throw at.fail("has an unknown type", "spec.type", type, "one of " + String.join(", ", SERVICE_TYPES));
        }
        String clusterIP = spec.getClusterIP();
        if (clusterIP == null) {
            clusterIP = "";
        } else if (!clusterIP.equals("None")) {
            clusterIP = at.ipv4(clusterIP, "spec.clusterIP");
        }
        List<Service.Port> ports = new ArrayList<>();
        List<ServicePort> raw = each(spec.getPorts());
        for (int i = 0; i < raw.size(); i++) {
            String field = "spec.ports[" + i + "]";
            ServicePort p = raw.get(i);
            if (p == null) {
                throw at.fail("has an invalid port", field, null, "a mapping with port");
            }
            String protocol = at.protocol(p.getProtocol(), field);
            int port = at.port(p.getPort(), field + ".port", false);
            String targetPort = targetPort(p.getTargetPort(), port, field + ".targetPort", at);
            int nodePort = at.port(p.getNodePort(), field + ".nodePort", true);
            ports.add(new Service.Port(p.getName() == null ? "" : p.getName(), protocol, port, targetPort, nodePort));
        }
        return new Service(ns, s.getMetadata().getName(), type, clusterIP, strings(spec.getSelector()), List.copyOf(ports));
    }

    /** A number, or the name of a container port; absent: the service port itself. */
    private static String targetPort(IntOrString target, int port, String field, FieldChecks at) {
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return Integer.toString(port);
        }
        if (target.getIntVal() != null) {
            return Integer.toString(at.port(target.getIntVal(), field, false));
        }
        String s = target.getStrVal();
        if (FieldChecks.isPortName(s)) {
            return s;
        }
        if (s.matches("\\d+")) {
            return Integer.toString(at.port(s, field, false));
        }
        throw at.fail("has an invalid targetPort", field, s,
                "a port number 1-65535 or a container port name (lowercase letters, digits, '-', at most 15)");
    }

    private static EndpointSlice endpointSlice(io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice es, String ns, FieldChecks at) {
        String service = strings(es.getMetadata().getLabels()).get("kubernetes.io/service-name");
        if (service == null || service.isBlank()) {
            throw at.fail("names no service", "metadata.labels[kubernetes.io/service-name]", null, "the name of its Service");
        }
        String type = es.getAddressType();
        if (type != null && !type.equals("IPv4")) {
            throw at.fail("has an unsupported addressType", "addressType", type, "IPv4");
        }
        List<EndpointSlice.Endpoint> endpoints = new ArrayList<>();
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> raw = each(es.getEndpoints());
        for (int i = 0; i < raw.size(); i++) {
            String field = "endpoints[" + i + "]";
            io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e = raw.get(i);
            if (e == null) {
                throw at.fail("has an invalid endpoint", field, null, "a mapping with addresses");
            }
            List<String> addresses = new ArrayList<>();
            for (String a : each(e.getAddresses())) {
                addresses.add(at.ipv4(a, field + ".addresses"));
            }
            // absent means ready, as Kubernetes reads it
            Boolean ready = e.getConditions() == null ? null : e.getConditions().getReady();
            endpoints.add(new EndpointSlice.Endpoint(List.copyOf(addresses), ready == null || ready));
        }
        List<EndpointSlice.Port> ports = new ArrayList<>();
        List<EndpointPort> rawPorts = each(es.getPorts());
        for (int i = 0; i < rawPorts.size(); i++) {
            String field = "ports[" + i + "]";
            EndpointPort p = rawPorts.get(i);
            if (p == null) {
                throw at.fail("has an invalid port", field, null, "a mapping with port");
            }
            ports.add(new EndpointSlice.Port(p.getName() == null ? "" : p.getName(), at.port(p.getPort(), field + ".port", false),
                    at.protocol(p.getProtocol(), field)));
        }
        return new EndpointSlice(ns, es.getMetadata().getName(), service, List.copyOf(endpoints), List.copyOf(ports));
    }

    /** The pod as flows keeps it: what {@link #pod} reads and what the informer needs to follow it. */
    static io.fabric8.kubernetes.api.model.Pod slim(io.fabric8.kubernetes.api.model.Pod p) {
        ObjectMeta m = p.getMetadata();
        List<Container> containers = new ArrayList<>();
        if (p.getSpec() != null) {
            for (Container c : p.getSpec().getContainers()) {
                containers.add(new ContainerBuilder().withName(c.getName()).withPorts(c.getPorts()).build());
            }
        }
        PodBuilder b = new PodBuilder().withNewMetadata().withName(m.getName()).withNamespace(m.getNamespace())
                .withUid(m.getUid()).withResourceVersion(m.getResourceVersion()).withLabels(m.getLabels())
                .withOwnerReferences(m.getOwnerReferences()).endMetadata();
        if (p.getSpec() != null) {
            b.withNewSpec().withNodeName(p.getSpec().getNodeName()).withHostNetwork(p.getSpec().getHostNetwork())
                    .withContainers(containers).endSpec();
        }
        if (p.getStatus() != null) {
            List<PodCondition> ready = p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).toList();
            b.withNewStatus().withPhase(p.getStatus().getPhase()).withPodIP(p.getStatus().getPodIP())
                    .withPodIPs(p.getStatus().getPodIPs()).withConditions(ready).endStatus();
        }
        return b.build();
    }
}
