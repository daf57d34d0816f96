package dev.flows.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.flows.cluster.testing.ApiObjects;
import dev.flows.cluster.testing.MockApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The informer source against fabric8's mock API server (CRUD mode: real HTTP lists and watches). */
class KubernetesClusterSourceTest {
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private MockApiServer api;
    private KubernetesClient k;
    private KubernetesClusterSource source;
    private final List<ClusterState> received = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        api = new MockApiServer();
        k = api.admin();
        ApiObjects.shop(k);
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        api.close();
    }

    private void connect() throws InterruptedException {
        source = KubernetesClusterSource.connect(api.config(), log::add, log::add);
        assertTrue(source.awaitSynced(SETTLE), "synced: " + log);
        source.listen(received::add);
    }

    @Test
    void theFirstStateIsTheWholeListedCluster() throws Exception {
        connect();
        ClusterState s = source.current();
        assertEquals(Set.of("node-a", "node-b"), names(s.nodes(), Node::name));
        assertEquals(new Node("node-a", "172.20.0.2", "10.244.1.0/24"), s.nodes().get(0));
        assertEquals(Set.of("shop", "default"), names(s.namespaces(), Namespace::name));
        Pod cart = pod(s, "shop/cart-1");
        assertEquals("10.244.1.11", cart.podIP());
        assertEquals("node-a", cart.nodeName());
        assertEquals(Map.of("app", "cart"), cart.labels());
        assertEquals(List.of(new Pod.Workload("Deployment", "cart")), cart.workloads());
        assertEquals(List.of(new Pod.ContainerPort("http", 8080, "TCP")), cart.ports());
        assertTrue(cart.ready());
        assertEquals(Map.of(), cart.annotations(), "pods are kept slim");
        Service svc = s.services().get(0);
        assertEquals("10.96.10.20", svc.clusterIP());
        assertEquals(List.of(new Service.Port("http", "TCP", 80, "http", 0)), svc.ports());
        assertEquals(List.of("10.244.1.11"), s.endpointSlices().get(0).endpoints().get(0).addresses());
        NetworkPolicy np = s.policies().get(0);
        assertEquals("shop/cart-from-frontend", np.fullName());
        assertEquals(Map.of("app", "frontend"), np.ingress().get(0).peers().get(0).podSelector().matchLabels());
        await("the listener got the state at once", x -> !received.isEmpty() && received.get(0).equals(s));
        ClusterSource.Stats st = source.stats();
        assertTrue(st.synced());
        assertEquals(3, st.objects().get("Pod"));
        assertTrue(st.lastSyncMillis() > 0);
        assertTrue(st.events() >= 10, "one event per listed object: " + st);
    }

    @Test
    void createUpdateAndDeleteOfEveryKindReachTheState() throws Exception {
        connect();
        k.nodes().resource(ApiObjects.node("node-c", "172.20.0.4", "10.244.3.0/24")).create();
        k.namespaces().resource(ApiObjects.namespace("infra", Map.of("team", "platform"))).create();
        k.pods().inNamespace("infra").resource(ApiObjects.pod("infra", "dns-1", "node-c", "10.244.3.5", "dns")).create();
        k.services().inNamespace("infra").resource(ApiObjects.service("infra", "kube-dns", "10.96.0.10", "dns", 53, "UDP")).create();
        k.discovery().v1().endpointSlices().inNamespace("infra").resource(ApiObjects.slice("infra", "kube-dns-x", "kube-dns", "10.244.3.5", 53)).create();
        k.network().v1().networkPolicies().inNamespace("infra").resource(ApiObjects.policyFrom("infra", "dns-from-shop", "dns", "shop")).create();
        await("every kind created", s -> names(s.nodes(), Node::name).contains("node-c")
                && names(s.namespaces(), Namespace::name).contains("infra")
                && s.pods().stream().anyMatch(p -> p.fullName().equals("infra/dns-1") && p.podIP().equals("10.244.3.5"))
                && s.services().stream().anyMatch(v -> v.name().equals("kube-dns") && v.ports().get(0).protocol().equals("UDP"))
                && s.endpointSlices().stream().anyMatch(e -> e.serviceName().equals("kube-dns"))
                && s.policies().stream().anyMatch(p -> p.fullName().equals("infra/dns-from-shop")));

        k.nodes().withName("node-c").edit(n -> { n.getSpec().setPodCIDR("10.244.4.0/24"); return n; });
        k.namespaces().withName("infra").edit(n -> { n.getMetadata().getLabels().put("team", "dns"); return n; });
        k.pods().inNamespace("infra").withName("dns-1").edit(p -> { p.getMetadata().getLabels().put("tier", "core"); return p; });
        k.services().inNamespace("infra").withName("kube-dns").edit(v -> { v.getSpec().getPorts().get(0).setPort(5353); return v; });
        k.discovery().v1().endpointSlices().inNamespace("infra").withName("kube-dns-x")
                .edit(e -> { e.getEndpoints().get(0).getConditions().setReady(false); return e; });
        k.network().v1().networkPolicies().inNamespace("infra").withName("dns-from-shop")
                .edit(p -> { p.getSpec().getIngress().get(0).getPorts().get(0).setPort(new io.fabric8.kubernetes.api.model.IntOrString(53)); return p; });
        await("every kind updated", s -> s.nodes().stream().anyMatch(n -> n.name().equals("node-c") && n.podCIDR().equals("10.244.4.0/24"))
                && s.namespaces().stream().anyMatch(n -> n.name().equals("infra") && "dns".equals(n.labels().get("team")))
                && s.pods().stream().anyMatch(p -> p.fullName().equals("infra/dns-1") && "core".equals(p.labels().get("tier")))
                && s.services().stream().anyMatch(v -> v.name().equals("kube-dns") && v.ports().get(0).port() == 5353)
                && s.endpointSlices().stream().anyMatch(e -> e.name().equals("kube-dns-x") && !e.endpoints().get(0).ready())
                && s.policies().stream().anyMatch(p -> p.fullName().equals("infra/dns-from-shop") && p.ingress().get(0).ports().get(0).port() == 53));

        k.network().v1().networkPolicies().inNamespace("infra").withName("dns-from-shop").delete();
        k.discovery().v1().endpointSlices().inNamespace("infra").withName("kube-dns-x").delete();
        k.services().inNamespace("infra").withName("kube-dns").delete();
        k.pods().inNamespace("infra").withName("dns-1").delete();
        k.namespaces().withName("infra").delete();
        k.nodes().withName("node-c").delete();
        await("every kind deleted", s -> s.nodes().size() == 2 && s.namespaces().size() == 2 && s.pods().size() == 3
                && s.services().size() == 1 && s.endpointSlices().size() == 1 && s.policies().size() == 1);
    }

    @Test
    void noStateIsOfferedUntilEveryKindIsListed() throws Exception {
        api.refuse("networkpolicies");
        source = KubernetesClusterSource.connect(api.config(), log::add, log::add);
        assertFalse(source.awaitSynced(Duration.ofSeconds(2)), "not synced while policies cannot be listed");
        assertEquals(ClusterState.EMPTY, source.current(), "a state without its policies would allow everything");
        assertFalse(source.stats().synced());
        assertTrue(log.stream().anyMatch(l -> l.contains("NetworkPolicys: first list failed, trying again")), String.valueOf(log));
        api.accept("networkpolicies");
        assertTrue(source.awaitSynced(SETTLE));
        assertEquals(1, source.current().policies().size());
        assertEquals(3, source.current().pods().size());
    }

    @Test
    void aDroppedWatchAndA410RelistConverge() throws Exception {
        connect();
        long restartsBefore = source.stats().restarts();
        api.dropWatches();
        k.pods().inNamespace("shop").resource(ApiObjects.pod("shop", "cart-2", "node-b", "10.244.2.12", "cart")).create();
        await("a change made as the watches ended", s -> s.pods().stream().anyMatch(p -> p.name().equals("cart-2")));

        // A watch refused with 410 Gone: the informers list again, and what changed meanwhile
        // (a pod gone, a policy changed) arrives from that list.
        api.goneForNextWatches(1000);
        api.dropWatches();
        k.pods().inNamespace("shop").withName("cart-1").delete();
        k.network().v1().networkPolicies().inNamespace("shop").withName("cart-from-frontend")
                .edit(p -> { p.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels().put("app", "toolbox"); return p; });
        Thread.sleep(1000);
        api.goneForNextWatches(0);
        await("converged after the relist", s -> s.pods().stream().noneMatch(p -> p.name().equals("cart-1"))
                && s.pods().stream().anyMatch(p -> p.name().equals("cart-2"))
                && s.policies().get(0).ingress().get(0).peers().get(0).podSelector().matchLabels().equals(Map.of("app", "toolbox")));
        assertTrue(source.stats().restarts() > restartsBefore, "restarts counted: " + source.stats());
        await("watching again", s -> source.stats().lastSyncMillis() > System.currentTimeMillis() - 1000);
    }

    @Test
    void anOutageKeepsTheStateAndCatchesUpAfter() throws Exception {
        connect();
        ClusterState before = source.current();
        int statesBefore = received.size();
        api.stop();
        Thread.sleep(30_000);
        assertEquals(before, source.current(), "nothing flushed while the API server is away");
        for (ClusterState s : received.subList(statesBefore, received.size())) {
            assertEquals(before.services(), s.services());
            assertEquals(before.policies(), s.policies());
        }
        assertTrue(source.stats().restarts() >= 6, "every kind's watch was lost: " + source.stats());
        long staleSince = source.stats().lastSyncMillis();
        assertTrue(staleSince < System.currentTimeMillis() - 29_000, "last sync is from before the outage");

        // It comes back with changes made while this node could not see them.
        api.restartClosed();
        k.services().inNamespace("shop").withName("cart").edit(v -> { v.getSpec().setClusterIP("10.96.10.21"); return v; });
        k.network().v1().networkPolicies().inNamespace("shop").withName("cart-from-frontend").delete();
        k.pods().inNamespace("shop").resource(ApiObjects.pod("shop", "cart-3", "node-b", "10.244.2.13", "cart")).create();
        api.open();
        await("caught up", s -> s.services().get(0).clusterIP().equals("10.96.10.21") && s.policies().isEmpty()
                && s.pods().stream().anyMatch(p -> p.name().equals("cart-3")) && s.pods().size() == 4);
        await("the last sync is from after the outage", s -> source.stats().lastSyncMillis() > staleSince);
    }

    @Test
    void whatTheModelCannotHoldIsLeftOutAndSaid() throws Exception {
        connect();
        k.pods().inNamespace("shop").resource(ApiObjects.pod("shop", "v6-only", "node-a", "fd00::5", "v6")).create();
        k.pods().inNamespace("shop").resource(ApiObjects.hostNetworkPod("shop", "agent", "node-a", "172.20.0.2")).create();
        await("the host-network pod is there, without the node's address", s -> s.pods().stream()
                .anyMatch(p -> p.name().equals("agent") && p.podIP().isEmpty()));
        assertTrue(source.current().pods().stream().noneMatch(p -> p.name().equals("v6-only")));
        assertEquals(1, source.stats().rejected());
        assertTrue(log.contains("cluster state: left out: API server: Pod shop/v6-only has an invalid IP: status.podIP = 'fd00::5'; "
                + "expected an IPv4 address such as 10.244.1.5"), String.valueOf(log));
    }

    private void await(String what, Predicate<ClusterState> done) throws InterruptedException {
        long end = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < end) {
            if (done.test(source.current())) {
                return;
            }
            Thread.sleep(20);
        }
        fail(what + ": not reached in " + SETTLE + "; state " + source.current() + "; log " + log);
    }

    private static Pod pod(ClusterState s, String name) {
        return s.pods().stream().filter(p -> p.fullName().equals(name)).findFirst().orElseThrow();
    }

    private static <T> Set<String> names(List<T> l, java.util.function.Function<T, String> name) {
        return l.stream().map(name).collect(Collectors.toSet());
    }
}
