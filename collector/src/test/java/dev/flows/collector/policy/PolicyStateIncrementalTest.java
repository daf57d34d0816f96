package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Namespace;
import dev.flows.cluster.NetworkPolicy;
import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.NetworkPolicy.Expression;
import dev.flows.cluster.NetworkPolicy.IpBlock;
import dev.flows.cluster.NetworkPolicy.Operator;
import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Port;
import dev.flows.cluster.NetworkPolicy.Rule;
import dev.flows.cluster.NetworkPolicy.Selector;
import dev.flows.cluster.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of cluster changes (fixed seeds): after each change the delta, applied to what
 * was programmed, gives exactly the maps a full recompute of the new cluster state gives.
 */
class PolicyStateIncrementalTest {
    private static final String LOCAL = TestCluster.NODE_A.name();
    private static final List<String> NAMESPACES = List.of("a", "b", "c");
    private static final List<String> APPS = List.of("web", "api", "db");

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void deltasMatchAFullRecompute(long seed) {
        Random rnd = new Random(seed);
        Map<String, Namespace> namespaces = new LinkedHashMap<>();
        Map<String, Pod> pods = new LinkedHashMap<>();
        Map<String, NetworkPolicy> policies = new LinkedHashMap<>();
        PolicyState state = new PolicyState(List.of(TestCluster.NODE_A, TestCluster.NODE_B), LOCAL);
        Programmed programmed = new Programmed();
        programmed.apply(state.drain());
        int most = 0;

        for (int step = 0; step < 300; step++) {
            PolicyDelta delta;
            String what;
            int op = rnd.nextInt(10);
            if (op < 4) {
                Pod p = randomPod(rnd);
                pods.put(p.fullName(), p);
                delta = state.putPod(p);
                what = "put " + p;
            } else if (op < 5 && !pods.isEmpty()) {
                Pod p = pick(rnd, pods);
                pods.remove(p.fullName());
                delta = state.removePod(p.namespace(), p.name());
                what = "remove pod " + p.fullName();
            } else if (op < 6) {
                Namespace n = new Namespace(NAMESPACES.get(rnd.nextInt(3)), randomLabels(rnd, Map.of("team", List.of("x", "y"), "env", List.of("prod", "dev"))));
                if (rnd.nextInt(4) == 0) {
                    namespaces.remove(n.name());
                    delta = state.removeNamespace(n.name());
                    what = "remove namespace " + n.name();
                } else {
                    namespaces.put(n.name(), n);
                    delta = state.putNamespace(n);
                    what = "put " + n;
                }
            } else if (op < 9) {
                NetworkPolicy p = randomPolicy(rnd);
                policies.put(p.fullName(), p);
                delta = state.putPolicy(p);
                what = "put " + p;
            } else if (!policies.isEmpty()) {
                NetworkPolicy p = pick(rnd, policies);
                policies.remove(p.fullName());
                delta = state.removePolicy(p.namespace(), p.name());
                what = "remove policy " + p.fullName();
            } else {
                continue;
            }
            assertNoAllowedConnectionDeniedWhileWriting(rnd, programmed, delta, pods.values(), what);
            programmed.apply(delta);
            most = Math.max(most, programmed.policy.size());
            ClusterState now = new ClusterState(List.of(TestCluster.NODE_A, TestCluster.NODE_B), List.copyOf(namespaces.values()),
                    List.copyOf(pods.values()), List.of(), List.copyOf(policies.values()));
            ReferenceCompiler.Maps full = ReferenceCompiler.compile(now, LOCAL, state);
            String at = "seed " + seed + " step " + step + ": " + what;
            assertSame(full.ipcache(), programmed.ipcache, at + ", ipcache");
            assertSame(full.endpoints(), programmed.endpoints, at + ", endpoints");
            assertSame(full.policy(), programmed.policy, at + ", policy");
            assertSame(state.policyMap(), programmed.policy, at + ", policy as the state holds it");
            if (step % 50 == 49) {
                PolicyState fresh = PolicyState.of(now, LOCAL);
                assertSame(fresh.policyMap(), state.policyMap(), at + ", policy built from scratch");
                assertSame(fresh.ipcache(), state.ipcache(), at + ", ipcache built from scratch");
            }
        }
        assertTrue(most > 50, "the sequence programs a fair number of entries at some point: " + most);
    }

    @Test
    void aChangeTouchesOnlyWhatItAffects() {
        PolicyState state = PolicyState.of(new TestCluster()
                .pod("shop/frontend", "10.244.1.10", "app=frontend")
                .pod("shop/cart", "10.244.1.20", "app=cart")
                .policies("""
                        kind: NetworkPolicy
                        metadata: {name: cart-in, namespace: shop}
                        spec:
                          podSelector: {matchLabels: {app: cart}}
                          ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 8080}]}]
                        """).state(), LOCAL);
        state.drain();

        PolicyDelta replica = state.putPod(TestCluster.newPod("shop/frontend-2", LOCAL, "10.244.1.11", "app=frontend"));
        assertEquals(0, replica.policy().size(), "a replica shares its identity's entries");
        assertEquals(Set.of(Ipv4Prefix.parse("10.244.1.11/32")), replica.ipcache().puts().keySet());
        assertEquals(1, replica.endpoints().puts().size());

        PolicyDelta unrelated = state.putPod(TestCluster.newPod("shop/db", LOCAL, "10.244.1.30", "app=db"));
        assertEquals(0, unrelated.policy().size());

        NetworkPolicy same = TestCluster.parsePolicies("""
                kind: NetworkPolicy
                metadata: {name: cart-in, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 8080}]}]
                """).get(0);
        assertEquals(0, state.putPolicy(same).size(), "re-applying a policy unchanged writes nothing");

        PolicyDelta removed = state.removePolicy("shop", "cart-in");
        assertEquals(1, removed.policy().deletes().size());
        assertEquals(EndpointPolicy.NONE, removed.endpoints().puts().get(PolicyKey.endpointId("10.244.1.20")));
    }

    /**
     * The delta written in the order PolicyDelta documents: a sample of connections that the
     * maps allow before and after must be allowed after each stage of the writing, too.
     */
    private static void assertNoAllowedConnectionDeniedWhileWriting(Random rnd, Programmed before, PolicyDelta d, Collection<Pod> pods, String what) {
        List<Programmed> stages = new ArrayList<>();
        Programmed m = before.copy();
        List<Runnable> steps = List.of(
                () -> m.policy.putAll(d.policy().puts()), () -> m.ipcache.putAll(d.ipcache().puts()),
                () -> m.endpoints.putAll(d.endpoints().puts()), () -> d.ipcache().deletes().forEach(m.ipcache::remove),
                () -> d.policy().deletes().forEach(m.policy::remove), () -> d.endpoints().deletes().forEach(m.endpoints::remove));
        for (Runnable step : steps) {
            step.run();
            stages.add(m.copy());
        }
        List<String> addresses = new ArrayList<>(List.of("192.0.2.5", "192.0.2.200", "192.0.2.230", "10.9.9.9", "203.0.113.1"));
        pods.stream().filter(p -> !p.podIP().isEmpty()).forEach(p -> addresses.add(p.podIP()));
        PolicyLookup old = before.lookup();
        PolicyLookup now = stages.get(stages.size() - 1).lookup();
        for (int i = 0; i < 20; i++) {
            String src = addresses.get(rnd.nextInt(addresses.size()));
            String dst = addresses.get(rnd.nextInt(addresses.size()));
            int proto = List.of(PolicyKey.TCP, PolicyKey.UDP, PolicyKey.SCTP).get(rnd.nextInt(3));
            int port = List.of(8080, 8081, 53, 8050, 9).get(rnd.nextInt(5));
            if (old.verdict(src, dst, proto, port).startsWith("ALLOW") && now.verdict(src, dst, proto, port).startsWith("ALLOW")) {
                for (int s = 0; s < stages.size(); s++) {
                    assertTrue(stages.get(s).lookup().verdict(src, dst, proto, port).startsWith("ALLOW"),
                            what + ": " + src + " -> " + dst + " " + proto + "/" + port + " denied after write stage " + s);
                }
            }
        }
    }

    /** Equal maps, else a message that lists only the differences. */
    private static <K, V> void assertSame(Map<K, V> expected, Map<K, V> actual, String at) {
        if (expected.equals(actual)) {
            return;
        }
        List<String> diff = new ArrayList<>();
        expected.forEach((k, v) -> {
            if (!v.equals(actual.get(k))) {
                diff.add("missing " + k + "=" + v + (actual.containsKey(k) ? " (has " + actual.get(k) + ")" : ""));
            }
        });
        actual.forEach((k, v) -> {
            if (!expected.containsKey(k)) {
                diff.add("extra " + k + "=" + v);
            }
        });
        throw new AssertionError(at + ": " + diff.size() + " differences, first " + diff.subList(0, Math.min(5, diff.size())));
    }

    /** The three maps as a BPF loader would hold them after writing each delta. */
    private static final class Programmed {
        final Map<Ipv4Prefix, Integer> ipcache = new HashMap<>();
        final Map<PolicyKey, PolicyValue> policy = new HashMap<>();
        final Map<Integer, EndpointPolicy> endpoints = new HashMap<>();

        Programmed copy() {
            Programmed c = new Programmed();
            c.ipcache.putAll(ipcache);
            c.policy.putAll(policy);
            c.endpoints.putAll(endpoints);
            return c;
        }

        PolicyLookup lookup() {
            return new PolicyLookup(ipcache, policy, endpoints, Map.of());
        }

        void apply(PolicyDelta d) {
            apply(d.ipcache(), ipcache);
            apply(d.policy(), policy);
            apply(d.endpoints(), endpoints);
        }

        private static <K, V> void apply(PolicyDelta.Change<K, V> c, Map<K, V> map) {
            for (K k : c.deletes()) {
                assertTrue(map.containsKey(k), "delete of a key never written: " + k);
                map.remove(k);
            }
            c.puts().forEach((k, v) -> assertTrue(!v.equals(map.put(k, v)), "put of an unchanged entry: " + k));
        }
    }

    private static <T> T pick(Random rnd, Map<String, T> m) {
        return new ArrayList<>(m.values()).get(rnd.nextInt(m.size()));
    }

    private static Map<String, String> randomLabels(Random rnd, Map<String, List<String>> choices) {
        Map<String, String> out = new HashMap<>();
        choices.forEach((k, vs) -> {
            if (rnd.nextBoolean()) {
                out.put(k, vs.get(rnd.nextInt(vs.size())));
            }
        });
        return out;
    }

    private static Pod randomPod(Random rnd) {
        int slot = rnd.nextInt(40);
        String node = rnd.nextInt(3) == 0 ? "node-b" : "node-a";
        String ip = rnd.nextInt(10) == 0 ? "" : "10.244." + (node.equals("node-a") ? 1 : 2) + "." + (slot + 1);
        Map<String, String> labels = randomLabels(rnd, Map.of("app", APPS, "tier", List.of("fe", "be")));
        List<Pod.ContainerPort> ports = new ArrayList<>();
        if (rnd.nextBoolean()) {
            ports.add(new Pod.ContainerPort("http", rnd.nextBoolean() ? 8080 : 8081, "TCP"));
        }
        if (rnd.nextInt(3) == 0) {
            ports.add(new Pod.ContainerPort("dns", 53, "UDP"));
        }
        // a pod keeps its namespace per slot, as a name does in Kubernetes
        return new Pod(NAMESPACES.get(slot % 3), "pod-" + slot, labels, Map.of(), node, ip, List.of(), ports);
    }

    private static NetworkPolicy randomPolicy(Random rnd) {
        Set<Direction> types = EnumSet.noneOf(Direction.class);
        if (rnd.nextInt(4) != 0) {
            types.add(Direction.INGRESS);
        }
        if (rnd.nextBoolean()) {
            types.add(Direction.EGRESS);
        }
        Function<Random, List<Rule>> rules = r -> {
            List<Rule> out = new ArrayList<>();
            for (int i = r.nextInt(3); i > 0; i--) {
                List<Peer> peers = new ArrayList<>();
                for (int j = r.nextInt(3); j > 0; j--) {
                    peers.add(randomPeer(r));
                }
                List<Port> ports = new ArrayList<>();
                for (int j = r.nextInt(3); j > 0; j--) {
                    ports.add(List.of(new Port("TCP", 8080, null, 0), new Port("UDP", 0, null, 0), new Port("TCP", 0, "http", 0),
                            new Port("TCP", 8000, null, 8100), new Port("UDP", 0, "dns", 0), new Port("SCTP", 9, null, 0)).get(r.nextInt(6)));
                }
                out.add(new Rule(peers, ports));
            }
            return out;
        };
        int slot = rnd.nextInt(12);
        return new NetworkPolicy(NAMESPACES.get(slot % 3), "policy-" + slot, randomSelector(rnd), Set.copyOf(types),
                rules.apply(rnd), rules.apply(rnd), rnd.nextInt(4) == 0);
    }

    private static Peer randomPeer(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> new Peer(randomSelector(rnd), null, null);
            case 1 -> new Peer(null, new Selector(randomLabels(rnd, Map.of("team", List.of("x", "y"))), List.of()), null);
            case 2 -> new Peer(randomSelector(rnd), new Selector(randomLabels(rnd, Map.of("env", List.of("prod", "dev"))), List.of()), null);
            default -> new Peer(null, null, List.of(
                    new IpBlock("192.0.2.0/24", List.of("192.0.2.128/25")),
                    new IpBlock("192.0.2.0/26", List.of()),
                    new IpBlock("192.0.2.192/26", List.of("192.0.2.224/27")),
                    new IpBlock("0.0.0.0/0", List.of("10.0.0.0/8")),
                    new IpBlock("10.244.1.0/24", List.of()),
                    new IpBlock("10.244.1.7/32", List.of())).get(rnd.nextInt(6)));
        };
    }

    private static Selector randomSelector(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> Selector.ALL;
            case 1 -> new Selector(Map.of("app", APPS.get(rnd.nextInt(3))), List.of());
            case 2 -> new Selector(Map.of(), List.of(new Expression("tier", rnd.nextBoolean() ? Operator.Exists : Operator.DoesNotExist, Set.of())));
            default -> new Selector(Map.of("tier", "fe"), List.of(new Expression("app", Operator.NotIn, Set.of("db"))));
        };
    }
}
