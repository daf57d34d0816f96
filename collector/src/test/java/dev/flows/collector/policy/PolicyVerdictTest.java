package dev.flows.collector.policy;

import static dev.flows.collector.policy.PolicyKey.SCTP;
import static dev.flows.collector.policy.PolicyKey.TCP;
import static dev.flows.collector.policy.PolicyKey.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.collector.enrich.Identities;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each NetworkPolicy construct, asserted as the verdict the datapath will reach on the compiled
 * maps (see {@link PolicyLookup}): who may open which connection, and which policy said so.
 */
class PolicyVerdictTest {
    private static final String FRONTEND = "10.244.1.10";
    private static final String CART = "10.244.1.20";
    private static final String CATALOG = "10.244.1.30";
    private static final String OPS_TOOL = "10.244.1.40";
    private static final String OTHER_FRONTEND = "10.244.1.50";
    private static final String REMOTE_CART = "10.244.2.20";

    /** shop: frontend, cart (port http=8080), catalog; ops: tool; staging: a frontend; node-b: a cart. */
    private static TestCluster shop() {
        return new TestCluster()
                .namespace("shop", "team=shop")
                .namespace("ops", "team=ops", "env=prod")
                .namespace("staging", "env=staging")
                .pod("shop/frontend", FRONTEND, "app=frontend", "tier=web")
                .pod("shop/cart", CART, "app=cart", "http:8080")
                .pod("shop/catalog", CATALOG, "app=catalog", "http:9090", "dns:5353/UDP")
                .pod("ops/tool", OPS_TOOL, "app=tool")
                .pod("staging/frontend", OTHER_FRONTEND, "app=frontend")
                .podOn("node-b", "shop/cart-b", REMOTE_CART, "app=cart", "http:8080");
    }

    private static final String ALLOW_FRONTEND_TO_CART = """
            kind: NetworkPolicy
            metadata: {name: allow-frontend, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: cart}}
              ingress:
              - from: [{podSelector: {matchLabels: {app: frontend}}}]
                ports: [{port: 8080}]
            """;

    @Test
    void anUnselectedPodAllowsEverything() {
        PolicyLookup maps = shop().policies(ALLOW_FRONTEND_TO_CART).compile();

        assertEquals("ALLOW", maps.verdict(CART, CATALOG, TCP, 9090));
        assertEquals("ALLOW", maps.verdict(OPS_TOOL, FRONTEND, UDP, 53));
        assertEquals("ALLOW", maps.verdict("203.0.113.9", FRONTEND, TCP, 443));
    }

    @Test
    void podSelectorPeersAreInThePolicysNamespace() {
        PolicyLookup maps = shop().policies(ALLOW_FRONTEND_TO_CART).compile();

        assertEquals("ALLOW by shop/allow-frontend", maps.verdict(FRONTEND, CART, TCP, 8080));
        assertEquals("DENY ingress", maps.verdict(CATALOG, CART, TCP, 8080));
        assertEquals("DENY ingress", maps.verdict(OTHER_FRONTEND, CART, TCP, 8080), "same labels, other namespace");
        assertEquals("DENY ingress", maps.verdict("203.0.113.9", CART, TCP, 8080));
    }

    @Test
    void portsHaveAProtocolTcpByDefault() {
        PolicyLookup maps = shop().policies(ALLOW_FRONTEND_TO_CART + """
                ---
                kind: NetworkPolicy
                metadata: {name: dns, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: catalog}}
                  ingress:
                  - ports: [{protocol: UDP}, {protocol: SCTP, port: 7}]
                """).compile();

        assertEquals("DENY ingress", maps.verdict(FRONTEND, CART, UDP, 8080));
        assertEquals("DENY ingress", maps.verdict(FRONTEND, CART, TCP, 8081));
        assertEquals("ALLOW by shop/dns", maps.verdict(FRONTEND, CATALOG, UDP, 5353), "any UDP port");
        assertEquals("ALLOW by shop/dns", maps.verdict(OPS_TOOL, CATALOG, SCTP, 7));
        assertEquals("DENY ingress", maps.verdict(FRONTEND, CATALOG, SCTP, 8));
        assertEquals("DENY ingress", maps.verdict(FRONTEND, CATALOG, TCP, 9090));
    }

    @Test
    void anEmptyPodSelectorSelectsEveryPodOfItsNamespaceAndNoRuleDeniesAll() {
        PolicyLookup maps = shop().policies("""
                kind: NetworkPolicy
                metadata: {name: default-deny, namespace: shop}
                spec: {podSelector: {}}
                """).compile();

        assertEquals("DENY ingress", maps.verdict(FRONTEND, CART, TCP, 8080));
        assertEquals("DENY ingress", maps.verdict(OPS_TOOL, CATALOG, UDP, 5353));
        assertEquals("DENY ingress", maps.verdict(CART, FRONTEND, TCP, 80));
        assertEquals("ALLOW", maps.verdict(FRONTEND, OPS_TOOL, TCP, 22), "egress not enforced, ops not selected");
    }

    @Test
    void policyTypesDefaultToIngressPlusEgressWhenThereAreEgressRules() {
        PolicyLookup maps = shop().policies("""
                kind: NetworkPolicy
                metadata: {name: egress-only-rules, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: frontend}}
                  egress: [{to: [{podSelector: {matchLabels: {app: cart}}}]}]
                ---
                kind: NetworkPolicy
                metadata: {name: egress-typed, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: catalog}}
                  policyTypes: [Egress]
                """).compile();

        assertEquals("ALLOW by shop/egress-only-rules", maps.verdict(FRONTEND, CART, TCP, 8080));
        assertEquals("DENY egress", maps.verdict(FRONTEND, CATALOG, TCP, 9090));
        assertEquals("DENY ingress", maps.verdict(CART, FRONTEND, TCP, 80), "Ingress is in the default types: no ingress rule, all denied");
        assertEquals("DENY egress", maps.verdict(CATALOG, CART, TCP, 8080), "explicit Egress only: no egress rule");
        assertEquals("ALLOW", maps.verdict(CART, CATALOG, TCP, 9090), "explicit Egress only: ingress stays open");
    }

    @Test
    void namespaceSelectorAloneSelectsEveryPodOfTheNamespacesItMatches() {
        PolicyLookup maps = shop().policies("""
                kind: NetworkPolicy
                metadata: {name: from-ops, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  ingress: [{from: [{namespaceSelector: {matchLabels: {team: ops}}}]}]
                ---
                kind: NetworkPolicy
                metadata: {name: from-anywhere-in-cluster, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: catalog}}
                  ingress: [{from: [{namespaceSelector: {}}]}]
                """).compile();

        assertEquals("ALLOW by shop/from-ops", maps.verdict(OPS_TOOL, CART, TCP, 8080));
        assertEquals("DENY ingress", maps.verdict(FRONTEND, CART, TCP, 8080));
        assertEquals("ALLOW by shop/from-anywhere-in-cluster", maps.verdict(OTHER_FRONTEND, CATALOG, TCP, 9090));
        assertEquals("ALLOW by shop/from-anywhere-in-cluster", maps.verdict(FRONTEND, CATALOG, TCP, 9090));
        assertEquals("DENY ingress", maps.verdict("203.0.113.9", CATALOG, TCP, 9090), "all namespaces is all pods, not the world");
    }

    @Test
    void namespaceAndPodSelectorInOnePeerMustBothMatch() {
        PolicyLookup maps = shop().policies("""
                kind: NetworkPolicy
                metadata: {name: and, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  ingress:
                  - from:
                    - namespaceSelector: {matchExpressions: [{key: env, operator: In, values: [staging, dev]}]}
                      podSelector: {matchLabels: {app: frontend}}
                ---
                kind: NetworkPolicy
                metadata: {name: or, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: catalog}}
                  ingress:
                  - from:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ops}}
                    - podSelector: {matchExpressions: [{key: tier, operator: Exists}]}
                """).compile();

        assertEquals("ALLOW by shop/and", maps.verdict(OTHER_FRONTEND, CART, TCP, 8080));
        assertEquals("DENY ingress", maps.verdict(FRONTEND, CART, TCP, 8080), "frontend, but shop has no env label");
        assertEquals("DENY ingress", maps.verdict(OPS_TOOL, CART, TCP, 8080));
        assertEquals("ALLOW by shop/or", maps.verdict(OPS_TOOL, CATALOG, TCP, 9090), "by the namespace's name label");
        assertEquals("ALLOW by shop/or", maps.verdict(FRONTEND, CATALOG, TCP, 9090), "by tier Exists");
        assertEquals("DENY ingress", maps.verdict(CART, CATALOG, TCP, 9090));
    }

    @Test
    void ipBlockAllowsItsPrefixLessTheExceptsAndNeverPods() {
        PolicyLookup maps = shop().policies("""
                kind: NetworkPolicy
                metadata: {name: to-partners, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: frontend}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}}]
                  - to: [{ipBlock: {cidr: 10.244.0.0/16}}, {ipBlock: {cidr: 10.244.1.20/32}}]
                ---
                kind: NetworkPolicy
                metadata: {name: other-prefixes, namespace: ops}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                  - to: [{ipBlock: {cidr: 203.0.113.0/28}}, {ipBlock: {cidr: 203.0.113.192/26}}, {ipBlock: {cidr: 203.0.0.0/16}}]
                """).compile();

        assertEquals("ALLOW by shop/to-partners", maps.verdict(FRONTEND, "203.0.113.100", TCP, 443));
        assertEquals("ALLOW by shop/to-partners", maps.verdict(FRONTEND, "203.0.113.5", TCP, 443), "in a more specific prefix inside the cidr");
        assertEquals("DENY egress", maps.verdict(FRONTEND, "203.0.113.130", TCP, 443), "in the except");
        assertEquals("DENY egress", maps.verdict(FRONTEND, "203.0.113.200", TCP, 443), "in a prefix inside the except");
        assertEquals("DENY egress", maps.verdict(FRONTEND, "203.0.7.1", TCP, 443), "in a prefix around the cidr");
        assertEquals("DENY egress", maps.verdict(FRONTEND, "198.51.100.1", TCP, 443));
        assertEquals("ALLOW by shop/to-partners", maps.verdict(FRONTEND, "10.244.7.7", TCP, 443), "an address no pod has");
        assertEquals("DENY egress", maps.verdict(FRONTEND, CART, TCP, 8080), "pods are matched by selectors, not ipBlock");
        assertTrue(maps.identity(CART) >= Identities.MIN_ALLOCATED && maps.identity(CART) < PolicyMapLayout.CIDR_IDENTITY_MIN,
                "an ipBlock /32 naming a pod's address leaves the pod its identity");
        assertEquals("DENY egress", maps.verdict(FRONTEND, REMOTE_CART, TCP, 8080));
        assertEquals(Identities.WORLD, maps.identity("198.51.100.1"));
        assertEquals(Identities.REMOTE_NODE, maps.identity(TestCluster.NODE_B.internalIP()));
        assertEquals(Identities.HOST, maps.identity(TestCluster.NODE_A.internalIP()));
    }

    @Test
    void ipBlockOfEverythingIsTheWorldAndTheOtherPrefixes() {
        PolicyLookup maps = shop().policies("""
                kind: NetworkPolicy
                metadata: {name: internet, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: frontend}}
                  policyTypes: [Egress]
                  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]}]
                ---
                kind: NetworkPolicy
                metadata: {name: more-prefixes, namespace: ops}
                spec:
                  podSelector: {}
                  egress: [{to: [{ipBlock: {cidr: 198.51.100.0/24}}, {ipBlock: {cidr: 10.1.0.0/16}}]}]
                """).compile();

        assertEquals("ALLOW by shop/internet", maps.verdict(FRONTEND, "192.0.2.1", UDP, 53));
        assertEquals("ALLOW by shop/internet", maps.verdict(FRONTEND, "198.51.100.1", UDP, 53));
        assertEquals("DENY egress", maps.verdict(FRONTEND, "10.9.9.9", UDP, 53));
        assertEquals("DENY egress", maps.verdict(FRONTEND, "10.1.2.3", UDP, 53));
    }

    @Test
    void namedPortsResolveOnTheDestinationPod() {
        PolicyLookup maps = shop()
                .pod("shop/api-v1", "10.244.1.61", "app=api", "version=v1", "http:8080")
                .pod("shop/api-v2", "10.244.1.62", "app=api", "version=v2", "http:9090")
                .pod("shop/api-v2-bis", "10.244.1.63", "app=api", "version=v2", "http:9191")
                .policies("""
                kind: NetworkPolicy
                metadata: {name: http-in, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  ingress: [{ports: [{port: http}]}]
                ---
                kind: NetworkPolicy
                metadata: {name: http-out, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: frontend}}
                  policyTypes: [Egress]
                  egress: [{to: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: http}]}]
                """).compile();

        assertEquals("ALLOW by shop/http-in", maps.verdict(OPS_TOOL, CART, TCP, 8080));
        assertEquals("DENY ingress", maps.verdict(OPS_TOOL, CART, TCP, 9090));
        assertEquals("ALLOW by shop/http-out", maps.verdict(FRONTEND, "10.244.1.61", TCP, 8080));
        assertEquals("DENY egress", maps.verdict(FRONTEND, "10.244.1.61", TCP, 9090), "v1's http is 8080");
        assertEquals("ALLOW by shop/http-out", maps.verdict(FRONTEND, "10.244.1.62", TCP, 9090));
        assertEquals("DENY egress", maps.verdict(FRONTEND, "10.244.1.62", TCP, 8080), "v2's http is 9090");
        assertEquals("ALLOW by shop/http-out", maps.verdict(FRONTEND, "10.244.1.62", TCP, 9191),
                "pods of one identity share its entries: api-v2-bis's 9191 opens for api-v2 too");
        assertEquals("DENY egress", maps.verdict(FRONTEND, CATALOG, TCP, 9090), "catalog has http but is not selected");
    }

    @Test
    void egressNamedPortToEveryPeerResolvesOnEveryPodThatHasIt() {
        PolicyLookup maps = shop().policies("""
                kind: NetworkPolicy
                metadata: {name: any-dns, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: frontend}}
                  policyTypes: [Egress]
                  egress: [{ports: [{port: dns, protocol: UDP}]}]
                """).compile();

        assertEquals("ALLOW by shop/any-dns", maps.verdict(FRONTEND, CATALOG, UDP, 5353));
        assertEquals("DENY egress", maps.verdict(FRONTEND, CATALOG, TCP, 5353));
        assertEquals("DENY egress", maps.verdict(FRONTEND, CART, UDP, 5353), "cart has no port named dns");
        assertEquals("DENY egress", maps.verdict(FRONTEND, "192.0.2.53", UDP, 5353), "outside the cluster a name means nothing");
    }

    @Test
    void endPortRangesIncludeBothEnds() {
        PolicyLookup maps = shop().policies("""
                kind: NetworkPolicy
                metadata: {name: range, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  ingress: [{ports: [{port: 32000, endPort: 32768}, {protocol: UDP, port: 1, endPort: 65535}]}]
                """).compile();

        for (int port : new int[] {32000, 32001, 32511, 32512, 32767, 32768}) {
            assertEquals("ALLOW by shop/range", maps.verdict(FRONTEND, CART, TCP, port), "port " + port);
        }
        for (int port : new int[] {31999, 32769, 8080}) {
            assertEquals("DENY ingress", maps.verdict(FRONTEND, CART, TCP, port), "port " + port);
        }
        assertEquals("ALLOW by shop/range", maps.verdict(FRONTEND, CART, UDP, 1));
        assertEquals("ALLOW by shop/range", maps.verdict(FRONTEND, CART, UDP, 65535));
    }

    @Test
    void policiesAddUpAndEachAllowNamesItsPolicy() {
        PolicyLookup maps = shop().policies(ALLOW_FRONTEND_TO_CART + """
                ---
                kind: NetworkPolicy
                metadata: {name: allow-catalog, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  ingress: [{from: [{podSelector: {matchLabels: {app: catalog}}}]}]
                ---
                kind: NetworkPolicy
                metadata: {name: also-frontend, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 8080}]}]
                ---
                kind: NetworkPolicy
                metadata: {name: frontend-out, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: frontend}}
                  policyTypes: [Egress]
                  egress: [{to: [{podSelector: {matchLabels: {app: cart}}}]}]
                """).compile();

        assertEquals("ALLOW by shop/frontend-out, shop/allow-frontend", maps.verdict(FRONTEND, CART, TCP, 8080),
                "egress side, then ingress: the same key from two policies names the first by name");
        assertEquals("ALLOW by shop/allow-catalog", maps.verdict(CATALOG, CART, TCP, 1234));
        assertEquals("DENY ingress", maps.verdict(FRONTEND, CART, TCP, 1234));
    }

    @Test
    void policiesOfThisNodeOnlyCoverItsPods() {
        PolicyState nodeA = PolicyState.of(shop().policies(ALLOW_FRONTEND_TO_CART).state(), "node-a");
        PolicyState nodeB = PolicyState.of(shop().policies(ALLOW_FRONTEND_TO_CART).state(), "node-b");

        assertEquals("ALLOW", new PolicyLookup(nodeA).verdict(CATALOG, REMOTE_CART, TCP, 8080), "node-a does not enforce node-b's ingress");
        assertEquals("DENY ingress", new PolicyLookup(nodeB).verdict(CATALOG, REMOTE_CART, TCP, 8080));
        assertEquals("ALLOW by shop/allow-frontend", new PolicyLookup(nodeB).verdict(FRONTEND, REMOTE_CART, TCP, 8080));
        assertEquals(Map.of(PolicyKey.endpointId(REMOTE_CART), new EndpointPolicy(EndpointPolicy.Mode.ENFORCE, EndpointPolicy.Mode.OFF)), nodeB.endpoints());
        assertEquals(Map.of(nodeA.policyIdOf("shop/allow-frontend"), "shop/allow-frontend"), nodeA.policyNames());
        assertEquals(nodeA.policyIdOf("shop/allow-frontend"), nodeB.policyIdOf("shop/allow-frontend"), "ids agree across nodes");
    }

    @Test
    void theLabClusterWithAPolicyInTheSameYaml() throws Exception {
        ClusterState lab = new YamlClusterLoader(note -> {}).load(Path.of(getClass().getResource("/cluster/valid.yaml").toURI()));
        ClusterState withPolicy = new ClusterState(lab.nodes(), lab.namespaces(), lab.pods(), lab.services(), TestCluster.parsePolicies("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: cart-from-frontend, namespace: shop}
                spec:
                  podSelector: {matchLabels: {app: cart}}
                  policyTypes: [Ingress]
                  ingress:
                  - from: [{podSelector: {matchLabels: {app: frontend}}}]
                    ports: [{port: http}]
                """));
        PolicyLookup nodeB = new PolicyLookup(PolicyState.of(withPolicy, "node-b"));

        assertEquals("ALLOW by shop/cart-from-frontend", nodeB.verdict("10.244.1.10", "10.244.2.11", TCP, 8080), "frontend on node-a to cart on node-b");
        assertEquals("DENY ingress", nodeB.verdict("10.244.2.13", "10.244.2.11", TCP, 8080), "toolbox");
        assertEquals("DENY ingress", nodeB.verdict("10.244.1.10", "10.244.2.11", TCP, 9090), "not the port named http");
        assertEquals("ALLOW", nodeB.verdict("10.244.2.13", "10.244.2.12", UDP, 5353), "coredns is not selected");
    }
}
