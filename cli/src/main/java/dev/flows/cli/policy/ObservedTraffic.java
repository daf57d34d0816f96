package dev.flows.cli.policy;

import com.google.protobuf.util.Timestamps;
import dev.flows.observer.events.ReservedIdentity;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Layer4;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.observer.GetFlowsResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The connections a window of flows shows, each from its client to its server's port: which were
 * allowed (forwarded, translated, or denied only by an audit-mode policy), which an enforced policy
 * denied, and what the window lost. Flows whose direction or peer cannot be told justify nothing
 * and are counted instead.
 */
final class ObservedTraffic {
    /** A client, a server and the server's port: what one rule line allows. */
    record Edge(Party client, Party server, PortKey port) {}

    private final Map<Edge, Set<String>> allowed = new LinkedHashMap<>();
    private final Map<Edge, Set<String>> denied = new LinkedHashMap<>();
    private final Map<Edge, Set<String>> deniedBy = new HashMap<>();
    private final Map<Party.Workload, Map<String, String>> selectors = new HashMap<>();
    private final Map<Party.Workload, Set<String>> pods = new HashMap<>();
    private final Map<String, Long> lost = new TreeMap<>();
    private long flows;
    private long undirected;
    private long unresolved;
    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;

    void add(GetFlowsResponse r) {
        if (r.hasLostEvents()) {
            // the relay's own queue has no node: it is named as the relay
            lost.merge(r.getNodeName().isEmpty() ? "the relay" : r.getNodeName(), r.getLostEvents().getNumEventsLost(), Long::sum);
            return;
        }
        if (r.hasFlow()) {
            add(r.getFlow());
        }
    }

    private void add(Flow f) {
        flows++;
        long t = Timestamps.toNanos(f.getTime());
        first = Math.min(first, t);
        last = Math.max(last, t);
        Map<Edge, Set<String>> into = switch (f.getVerdict()) {
            case FORWARDED, TRANSLATED, AUDIT -> allowed;
            case DROPPED -> f.getDropReasonDesc() == DropReason.POLICY_DENIED || f.getDropReasonDesc() == DropReason.POLICY_DENY ? denied : null;
            default -> null;
        };
        if (into == null) {
            return;
        }
        Layer4 l4 = f.getL4();
        int srcPort;
        int dstPort;
        String protocol;
        if (l4.hasTCP()) {
            srcPort = l4.getTCP().getSourcePort();
            dstPort = l4.getTCP().getDestinationPort();
            protocol = "TCP";
        } else if (l4.hasUDP()) {
            srcPort = l4.getUDP().getSourcePort();
            dstPort = l4.getUDP().getDestinationPort();
            protocol = "UDP";
        } else if (l4.hasSCTP()) {
            srcPort = l4.getSCTP().getSourcePort();
            dstPort = l4.getSCTP().getDestinationPort();
            protocol = "SCTP";
        } else if (l4.hasICMPv4() || l4.hasICMPv6()) {
            srcPort = 0;
            dstPort = 0;
            protocol = PortKey.ICMP;
        } else {
            undirected++;
            return;
        }
        Boolean reply = f.hasIsReply() ? Boolean.valueOf(f.getIsReply().getValue()) : null;
        if (reply == null && l4.hasTCP() && l4.getTCP().getFlags().getSYN() && !l4.getTCP().getFlags().getACK()) {
            reply = Boolean.FALSE;
        }
        if (reply == null) {
            undirected++;
            return;
        }
        Party client = reply ? party(f.getDestination(), f.getIP().getDestination()) : party(f.getSource(), f.getIP().getSource());
        Party server = reply ? party(f.getSource(), f.getIP().getSource()) : party(f.getDestination(), f.getIP().getDestination());
        if (client == null || server == null) {
            unresolved++;
            return;
        }
        Edge e = new Edge(client, server, new PortKey(protocol, reply ? srcPort : dstPort));
        String connection = reply ? f.getIP().getDestination() + ":" + dstPort : f.getIP().getSource() + ":" + srcPort;
        into.computeIfAbsent(e, k -> new TreeSet<>()).add(connection);
        if (into == denied) {
            Set<String> by = deniedBy.computeIfAbsent(e, k -> new TreeSet<>());
            for (Policy p : f.getEgressDeniedByList()) {
                by.add(p.getNamespace() + "/" + p.getName());
            }
            for (Policy p : f.getIngressDeniedByList()) {
                by.add(p.getNamespace() + "/" + p.getName());
            }
        }
    }

    /** A pod's workload (its stable labels noted), a node or the world; null when a policy cannot name it. */
    private Party party(Endpoint e, String ip) {
        if (!e.getNamespace().isEmpty() && !e.getPodName().isEmpty()) {
            Party.Workload w = new Party.Workload(e.getNamespace(), e.getWorkloadsCount() > 0 ? e.getWorkloads(0).getName() : e.getPodName());
            Map<String, String> labels = StableLabels.of(e.getLabelsList());
            // a workload is selected by what all of its pods have in common
            selectors.merge(w, labels, (a, b) -> {
                Map<String, String> both = new TreeMap<>(a);
                both.entrySet().removeIf(x -> !x.getValue().equals(b.get(x.getKey())));
                return both;
            });
            pods.computeIfAbsent(w, k -> new TreeSet<>()).add(e.getPodName());
            return w;
        }
        ReservedIdentity id = ReservedIdentity.of(e.getIdentity());
        if (ip.isEmpty() || id == null) {
            return null;
        }
        return switch (id) {
            case WORLD, WORLD_IPV4, WORLD_IPV6 -> new Party.World(ip);
            case HOST -> new Party.Node(ip, true);
            case REMOTE_NODE -> new Party.Node(ip, false);
            default -> null;
        };
    }

    Map<Edge, Set<String>> allowed() {
        return allowed;
    }

    Map<Edge, Set<String>> denied() {
        return denied;
    }

    Set<String> deniedBy(Edge e) {
        return deniedBy.getOrDefault(e, Set.of());
    }

    Map<String, String> selector(Party.Workload w) {
        return selectors.getOrDefault(w, Map.of());
    }

    Set<String> pods(Party.Workload w) {
        return pods.getOrDefault(w, Set.of());
    }

    /** Events lost in the window, by node ("the relay" for its own queue). */
    Map<String, Long> lost() {
        return lost;
    }

    long flows() {
        return flows;
    }

    long undirected() {
        return undirected;
    }

    long unresolved() {
        return unresolved;
    }

    /** The first and last flow's time (ns), or null without flows. */
    long[] span() {
        return flows == 0 ? null : new long[] {first, last};
    }
}
