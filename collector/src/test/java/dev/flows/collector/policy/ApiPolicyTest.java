package dev.flows.collector.policy;

import static dev.flows.collector.policy.PolicyKey.TCP;
import static dev.flows.collector.policy.PolicyKey.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.cluster.KubernetesClusterSource;
import dev.flows.cluster.testing.ApiObjects;
import dev.flows.cluster.testing.MockApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * NetworkPolicies, pods and namespaces changed through the API server (fabric8's mock, CRUD
 * mode), read by the API source and compiled as the collector compiles them: the verdicts the
 * datapath will reach follow each change.
 */
class ApiPolicyTest {
    private static final String FRONTEND = "10.244.1.10";
    private static final String CART = "10.244.1.11";
    private static final String TOOLBOX = "10.244.2.10";

    private MockApiServer api;
    private KubernetesClient k;
    private KubernetesClusterSource source;

    @BeforeEach
    void start() throws Exception {
        api = new MockApiServer();
        k = api.admin();
        ApiObjects.shop(k);
        source = KubernetesClusterSource.connect(api.config(), n -> {}, w -> {});
        assertTrue(source.awaitSynced(Duration.ofSeconds(10)));
    }

    @AfterEach
    void stop() {
        source.close();
        api.close();
    }

    private PolicyLookup compiled() {
        return new PolicyLookup(PolicyState.of(source.current(), "node-a"));
    }

    @Test
    void verdictsFollowPoliciesPodsAndNamespacesChangedThroughTheApi() throws Exception {
        assertEquals("ALLOW by shop/cart-from-frontend", compiled().verdict(FRONTEND, CART, TCP, 8080));
        assertEquals("DENY ingress", compiled().verdict(TOOLBOX, CART, TCP, 8080));

        // a policy edited: toolbox is the allowed peer now
        k.network().v1().networkPolicies().inNamespace("shop").withName("cart-from-frontend").edit(p -> {
            p.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels().put("app", "toolbox");
            return p;
        });
        await("edited policy", () -> compiled().verdict(TOOLBOX, CART, TCP, 8080), "ALLOW by shop/cart-from-frontend");
        assertEquals("DENY ingress", compiled().verdict(FRONTEND, CART, TCP, 8080));

        // a pod relabelled: frontend becomes a toolbox, and is allowed
        k.pods().inNamespace("shop").withName("frontend-1").edit(p -> { p.getMetadata().getLabels().put("app", "toolbox"); return p; });
        await("relabelled pod", () -> compiled().verdict(FRONTEND, CART, TCP, 8080), "ALLOW by shop/cart-from-frontend");

        // a new policy that admits a namespace by its label, and that namespace relabelled
        k.namespaces().resource(ApiObjects.namespace("infra", java.util.Map.of())).create();
        k.pods().inNamespace("infra").resource(ApiObjects.pod("infra", "dns-1", "node-a", "10.244.1.53", "dns")).create();
        k.network().v1().networkPolicies().inNamespace("infra").resource(ApiObjects.policyFrom("infra", "dns-from-shop", "dns", "shop")).create();
        await("new policy", () -> compiled().verdict(TOOLBOX, "10.244.1.53", UDP, 5353), "ALLOW by infra/dns-from-shop");
        k.namespaces().withName("shop").edit(n -> { n.getMetadata().getLabels().put("team", "web"); return n; });
        await("relabelled namespace", () -> compiled().verdict(TOOLBOX, "10.244.1.53", UDP, 5353), "DENY ingress");

        // the policies deleted: nothing selects cart any more
        k.network().v1().networkPolicies().inNamespace("shop").withName("cart-from-frontend").delete();
        await("deleted policy", () -> compiled().verdict("203.0.113.9", CART, TCP, 8080), "ALLOW");
    }

    @Test
    void anOutageKeepsThePoliciesEnforced() throws Exception {
        api.stop();
        Thread.sleep(3000);
        assertEquals("DENY ingress", compiled().verdict(TOOLBOX, CART, TCP, 8080), "the API server away is no reason to allow");
        assertEquals("ALLOW by shop/cart-from-frontend", compiled().verdict(FRONTEND, CART, TCP, 8080));
    }

    private static void await(String what, Supplier<String> verdict, String expected) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end && !verdict.get().equals(expected)) {
            Thread.sleep(20);
        }
        assertEquals(expected, verdict.get(), what);
    }
}
