package dev.flows.collector.enrich;

import dev.flows.collector.decode.DecodedEvent;
import dev.flows.observer.events.EndpointLabels;
import dev.flows.observer.events.ReservedIdentity;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.cluster.Pod;
import dev.flows.cluster.Service;
import dev.flows.observer.net.Cidr;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The enrich stage: the one place a decoded flow gets its names. Which pod (namespace, labels,
 * workloads, identity) or node each address belongs to, which services the flow goes to or comes
 * from (one rule, {@link #services}), and which network policies allowed or denied it
 * ({@link FlowPolicies}). Services and policies are named from the control plane's id tables
 * ({@link ServiceNames}, {@link PolicyNames}) where the event carries an id.
 *
 * <p>All cluster lookups read one immutable table set; {@link #update} builds a new one from a
 * new cluster state and swaps it in atomically, so the processing thread never sees half a state.
 * Endpoint messages are built once per pod, not per flow.
 */
public final class Enricher {

    static final Endpoint HOST = reserved(ReservedIdentity.HOST);
    static final Endpoint REMOTE_NODE = reserved(ReservedIdentity.REMOTE_NODE);
    static final Endpoint WORLD = reserved(ReservedIdentity.WORLD);
    static final Endpoint UNKNOWN = reserved(ReservedIdentity.UNKNOWN);

    private static final int OTHERS_LIMIT = 1 << 16;

    private final String localNode;
    private final ServiceNames serviceNames;
    private final FlowPolicies policies;
    private volatile Tables tables;

    /** Names services from cluster addresses only, and no policies: observe mode, tests. */
    public Enricher(ClusterState state, String localNode) {
        this(state, localNode, ServiceNames.NONE, PolicyNames.NONE);
    }

    /**
     * @param serviceNames names the frontend ids events carry (the programmer of the service maps)
     * @param policyNames names the policies of verdicts and policy drops (the programmer of the policy maps)
     */
    public Enricher(ClusterState state, String localNode, ServiceNames serviceNames, PolicyNames policyNames) {
        this.localNode = localNode;
        this.serviceNames = serviceNames;
        this.policies = new FlowPolicies(policyNames);
        this.tables = new Tables(state, localNode);
    }

    /** Replaces the tables with ones built from {@code state}; safe while enrich() runs. */
    public void update(ClusterState state) {
        tables = new Tables(state, localNode);
    }

    /** Sets the event's flow's source, destination, services and policies. */
    public void enrich(DecodedEvent event) {
        Flow.Builder flow = event.flow();
        Tables t = tables;
        String src = flow.getIP().getSource();
        String dst = flow.getIP().getDestination();
        Service srcVip = t.service(src, flow.getL4(), true);
        Service dstVip = t.service(dst, flow.getL4(), false);
        services(event.serviceId(), srcVip, dstVip, flow);
        // A virtual IP is nobody's address: it names its service, not "world".
        if (srcVip == null || t.endpoints.containsKey(src)) {
            flow.setSource(t.endpoint(src));
        }
        if (dstVip == null || t.endpoints.containsKey(dst)) {
            flow.setDestination(t.endpoint(dst));
        }
        policies.name(event.policy(), event.policyId(), flow);
    }

    /**
     * Where a flow gets its services. The frontend the datapath chose, when the event carries its
     * id and the id is still programmed: it is the destination service of a request and the
     * source service of a reply (the frontend answers). It wins because after DNAT the addresses
     * name the backend, and on a backend's node nothing but the id knows the service. Otherwise
     * (no id, as in observe mode, or an id removed meanwhile), and always for the other side, an
     * address that is a service's virtual address names that service: a ClusterIP, or a node
     * address and NodePort, with the flow's port and protocol; replies seen before reverse NAT
     * come from one, requests go to one.
     */
    private void services(int serviceId, Service srcVip, Service dstVip, Flow.Builder flow) {
        dev.flows.proto.flow.Service byId = serviceId == DecodedEvent.NO_ID ? null : serviceNames.byId(serviceId);
        boolean reply = flow.getIsReply().getValue();
        dev.flows.proto.flow.Service source = byId != null && reply ? byId : srcVip != null ? srcVip.proto : null;
        dev.flows.proto.flow.Service destination = byId != null && !reply ? byId : dstVip != null ? dstVip.proto : null;
        if (source != null) {
            flow.setSourceService(source);
        }
        if (destination != null) {
            flow.setDestinationService(destination);
        }
    }

    /** The endpoint an address belongs to (reserved world for addresses outside the cluster). */
    public Endpoint endpoint(String ip) {
        return tables.endpoint(ip);
    }

    /** The identity a label set would get in the current state. */
    public int identityOf(List<String> labels) {
        return tables.identities.of(labels);
    }

    private static Endpoint reserved(ReservedIdentity r) {
        return Endpoint.newBuilder().setIdentity(r.id()).addLabels(r.label()).build();
    }

    /** Hubble's form of a pod's labels: "k8s:key=value", plus its namespace, sorted. */
    public static List<String> podLabels(Pod pod) {
        TreeSet<String> labels = new TreeSet<>();
        if (pod.labels() != null) {
            pod.labels().forEach((k, v) -> labels.add(EndpointLabels.of(k, v)));
        }
        labels.add(EndpointLabels.NAMESPACE + "=" + pod.namespace());
        return new ArrayList<>(labels);
    }

    private record ServiceKey(String ip, int port, String protocol) {}

    private record Service(dev.flows.proto.flow.Service proto) {}

    private static final class Tables {
        final Map<String, Endpoint> endpoints = new HashMap<>();
        final Map<ServiceKey, Service> services = new HashMap<>();
        final Set<String> serviceIps = new HashSet<>();
        final List<Cidr> podCidrs = new ArrayList<>();
        final Identities identities;
        /** Addresses outside the tables (world, unknown in-cluster), remembered so the CIDR scan runs once per address. */
        final Map<String, Endpoint> others = new java.util.concurrent.ConcurrentHashMap<>();

        Tables(ClusterState state, String localNode) {
            List<List<String>> labelSets = new ArrayList<>();
            for (Pod p : state.pods()) {
                labelSets.add(podLabels(p));
            }
            identities = Identities.allocate(labelSets);
            Set<String> nodeIps = new HashSet<>();
            for (Node n : state.nodes()) {
                if (n.internalIP() != null) {
                    nodeIps.add(n.internalIP());
                    endpoints.put(n.internalIP(), n.name().equals(localNode) ? HOST : REMOTE_NODE);
                }
                Cidr c = n.podCIDR() == null ? null : Cidr.parse(n.podCIDR());
                if (c != null) {
                    podCidrs.add(c);
                }
            }
            for (Pod p : state.pods()) {
                // Host-network pods share their node's address; the node identity wins, as in Cilium.
                if (p.podIP() == null || p.podIP().isEmpty() || nodeIps.contains(p.podIP())) {
                    continue;
                }
                List<String> labels = podLabels(p);
                Endpoint.Builder e = Endpoint.newBuilder()
                        .setIdentity(identities.of(labels))
                        .setNamespace(p.namespace())
                        .setPodName(p.name())
                        .addAllLabels(labels);
                if (p.workloads() != null) {
                    for (Pod.Workload w : p.workloads()) {
                        e.addWorkloads(Workload.newBuilder().setName(w.name()).setKind(w.kind()));
                    }
                }
                endpoints.put(p.podIP(), e.build());
            }
            for (dev.flows.cluster.Service s : state.services()) {
                Service svc = new Service(dev.flows.proto.flow.Service.newBuilder()
                        .setNamespace(s.namespace()).setName(s.name()).build());
                if (s.ports() == null) {
                    continue;
                }
                for (dev.flows.cluster.Service.Port port : s.ports()) {
                    String proto = port.protocol() == null || port.protocol().isEmpty()
                            ? "TCP" : port.protocol().toUpperCase(java.util.Locale.ROOT);
                    if (s.clusterIP() != null && !s.clusterIP().isEmpty() && !"None".equals(s.clusterIP())) {
                        services.put(new ServiceKey(s.clusterIP(), port.port(), proto), svc);
                        serviceIps.add(s.clusterIP());
                    }
                    if (port.nodePort() > 0) {
                        for (String ip : nodeIps) {
                            services.put(new ServiceKey(ip, port.nodePort(), proto), svc);
                            serviceIps.add(ip);
                        }
                    }
                }
            }
        }

        Endpoint endpoint(String ip) {
            Endpoint e = endpoints.get(ip);
            if (e == null) {
                e = others.get(ip);
            }
            if (e != null) {
                return e;
            }
            e = WORLD;
            for (Cidr c : podCidrs) {
                if (c.contains(ip)) {
                    e = UNKNOWN;
                    break;
                }
            }
            if (others.size() >= OTHERS_LIMIT) {
                others.clear(); // bounded: a scan of the internet must not grow the heap
            }
            others.put(ip, e);
            return e;
        }

        Service service(String ip, Layer4 l4, boolean sourceSide) {
            if (services.isEmpty() || !serviceIps.contains(ip)) {
                return null;
            }
            switch (l4.getProtocolCase()) {
                case TCP:
                    return services.get(new ServiceKey(ip,
                            sourceSide ? l4.getTCP().getSourcePort() : l4.getTCP().getDestinationPort(), "TCP"));
                case UDP:
                    return services.get(new ServiceKey(ip,
                            sourceSide ? l4.getUDP().getSourcePort() : l4.getUDP().getDestinationPort(), "UDP"));
                case SCTP:
                    return services.get(new ServiceKey(ip,
                            sourceSide ? l4.getSCTP().getSourcePort() : l4.getSCTP().getDestinationPort(), "SCTP"));
                default:
                    return null;
            }
        }
    }
}
