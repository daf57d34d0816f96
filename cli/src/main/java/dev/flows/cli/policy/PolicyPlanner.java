package dev.flows.cli.policy;

import dev.flows.observer.net.Ipv4Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Turns observed traffic into least-privilege policies: for each workload in scope that took part
 * in an allowed connection, ingress rules for exactly the clients seen on exactly the ports seen,
 * and egress rules for exactly the servers seen. What was never seen is not allowed.
 */
final class PolicyPlanner {
    /** What the planner left out, for the summary: workloads it could not select. */
    record Plan(List<GeneratedPolicy> policies, List<String> warnings) {}

    private final ObservedTraffic traffic;
    private final String namespace;
    private final boolean aggregateWorld;
    private final List<String> unexpressible = new ArrayList<>();

    /**
     * @param namespace only workloads of this namespace get policies (null: every namespace)
     * @param aggregateWorld world peers with the same ports as the fewest prefixes that cover exactly the addresses seen
     */
    PolicyPlanner(ObservedTraffic traffic, String namespace, boolean aggregateWorld) {
        this.traffic = traffic;
        this.namespace = namespace;
        this.aggregateWorld = aggregateWorld;
    }

    Plan plan() {
        Set<Party.Workload> subjects = new TreeSet<>(java.util.Comparator.comparing(Party.Workload::toString));
        for (ObservedTraffic.Edge e : traffic.allowed().keySet()) {
            for (Party p : List.of(e.client(), e.server())) {
                if (p instanceof Party.Workload w && (namespace == null || namespace.equals(w.namespace()))) {
                    subjects.add(w);
                }
            }
        }
        List<GeneratedPolicy> policies = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Party.Workload w : subjects) {
            Map<String, String> selector = traffic.selector(w);
            if (selector.isEmpty()) {
                warnings.add(w + ": its pods have no stable labels to select them by; no policy for it");
                continue;
            }
            policies.add(new GeneratedPolicy(w, selector,
                    rules(w, ObservedTraffic.Edge::server, ObservedTraffic.Edge::client, "from"),
                    rules(w, ObservedTraffic.Edge::client, ObservedTraffic.Edge::server, "to")));
        }
        for (ObservedTraffic.Edge e : traffic.allowed().keySet()) {
            for (Party p : List.of(e.client(), e.server())) {
                if (p instanceof Party.Workload w && traffic.selector(w).isEmpty() && subjects.contains(e.client() == p ? e.server() : e.client())) {
                    String warning = w + ": no stable labels; rules naming it allow every pod of namespace " + w.namespace();
                    if (!warnings.contains(warning)) {
                        warnings.add(warning);
                    }
                }
            }
        }
        warnings.addAll(unexpressible);
        return new Plan(policies, warnings);
    }

    /** The rules of one direction: where {@code self} is the workload, grouped by {@code peer}. */
    private List<GeneratedPolicy.Rule> rules(Party.Workload w, Function<ObservedTraffic.Edge, Party> self,
            Function<ObservedTraffic.Edge, Party> peer, String preposition) {
        Map<Party, Map<PortKey, Integer>> byPeer = new TreeMap<>(java.util.Comparator.comparing(Party::toString));
        traffic.allowed().forEach((e, connections) -> {
            if (self.apply(e).equals(w)) {
                byPeer.computeIfAbsent(peer.apply(e), k -> new TreeMap<>()).merge(e.port(), connections.size(), Integer::sum);
            }
        });
        List<GeneratedPolicy.Rule> rules = new ArrayList<>();
        Map<SortedSet<PortKey>, List<Party.World>> world = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
        byPeer.forEach((p, ports) -> {
            if (p instanceof Party.Node n) {
                if (!n.local()) {
                    unexpressible.add(w + " " + preposition + " " + n + " on " + ports.keySet()
                            + ": another node's address is matched by identity, which no ipBlock names; not allowed here");
                }
                return;
            }
            if (aggregateWorld && p instanceof Party.World a && !a.ip().contains(":")) {
                world.computeIfAbsent(new TreeSet<>(ports.keySet()), k -> new ArrayList<>()).add(a);
                return;
            }
            GeneratedPolicy.Peer one = p instanceof Party.Workload pw ? GeneratedPolicy.Peer.of(pw, traffic.selector(pw))
                    : GeneratedPolicy.Peer.block(hostBlock(((Party.World) p).ip()));
            String who = p instanceof Party.Workload pw ? pw + " (pods " + pods(pw) + ")" : p.toString();
            addRules(rules, List.of(one), ports, preposition + " " + who);
        });
        world.forEach((ports, addresses) -> {
            List<GeneratedPolicy.Peer> blocks = cover(addresses).stream().map(GeneratedPolicy.Peer::block).toList();
            Map<PortKey, Integer> counts = new TreeMap<>();
            byPeer.forEach((p, c) -> {
                if (addresses.contains(p)) {
                    c.forEach((k, n) -> counts.merge(k, n, Integer::sum));
                }
            });
            addRules(rules, blocks, counts, preposition + " " + addresses.size() + " world address" + (addresses.size() == 1 ? "" : "es"));
        });
        return rules;
    }

    /** A rule for the ports; ICMP in a rule of its own without ports (NetworkPolicy cannot name it). */
    private static void addRules(List<GeneratedPolicy.Rule> rules, List<GeneratedPolicy.Peer> peers, Map<PortKey, Integer> ports, String who) {
        SortedSet<PortKey> named = new TreeSet<>();
        int connections = 0;
        int icmp = 0;
        for (Map.Entry<PortKey, Integer> p : ports.entrySet()) {
            if (p.getKey().portless()) {
                icmp += p.getValue();
            } else {
                named.add(p.getKey());
                connections += p.getValue();
            }
        }
        if (!named.isEmpty()) {
            rules.add(new GeneratedPolicy.Rule(peers, named, connections + " connection" + (connections == 1 ? "" : "s") + " " + who + " on "
                    + named.stream().map(PortKey::toString).collect(java.util.stream.Collectors.joining(", "))));
        }
        if (icmp > 0) {
            rules.add(new GeneratedPolicy.Rule(peers, new TreeSet<>(), icmp + " ICMP exchange" + (icmp == 1 ? "" : "s") + " " + who
                    + " (NetworkPolicy cannot name ICMP: this rule allows every protocol with them)"));
        }
    }

    private String pods(Party.Workload w) {
        List<String> names = new ArrayList<>(traffic.pods(w));
        return names.size() <= 3 ? String.join(", ", names) : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
    }

    /** One address as a block of its own. */
    static String hostBlock(String ip) {
        return ip + (ip.contains(":") ? "/128" : "/32");
    }

    /** The fewest prefixes that cover exactly these IPv4 addresses: two halves merge only when both were seen. */
    static List<String> cover(List<Party.World> addresses) {
        TreeSet<Ipv4Prefix> prefixes = new TreeSet<>();
        for (Party.World a : addresses) {
            prefixes.add(new Ipv4Prefix(Ipv4Prefix.address(a.ip()), 32));
        }
        for (int len = 32; len > 0; len--) {
            for (Ipv4Prefix p : new ArrayList<>(prefixes)) {
                if (p.len() != len || !prefixes.contains(p)) {
                    continue;
                }
                int bit = 1 << (32 - len);
                Ipv4Prefix sibling = new Ipv4Prefix(p.addr() ^ bit, len);
                if (prefixes.contains(sibling)) {
                    prefixes.remove(p);
                    prefixes.remove(sibling);
                    prefixes.add(new Ipv4Prefix(p.addr() & ~bit, len - 1));
                }
            }
        }
        return prefixes.stream().map(Ipv4Prefix::toString).toList();
    }
}
