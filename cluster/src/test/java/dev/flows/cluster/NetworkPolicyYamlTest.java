package dev.flows.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flows.cluster.NetworkPolicy.Direction;
import dev.flows.cluster.NetworkPolicy.Expression;
import dev.flows.cluster.NetworkPolicy.IpBlock;
import dev.flows.cluster.NetworkPolicy.Operator;
import dev.flows.cluster.NetworkPolicy.Peer;
import dev.flows.cluster.NetworkPolicy.Port;
import dev.flows.cluster.NetworkPolicy.Rule;
import dev.flows.cluster.NetworkPolicy.Selector;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkPolicyYamlTest {
    private final List<String> notes = new ArrayList<>();

    private ClusterState load(String yaml) {
        return new YamlClusterLoader(notes::add).load("policies.yaml", new StringReader(yaml));
    }

    private NetworkPolicy policy(String spec) {
        return load("kind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n" + spec.indent(2)).policies().get(0);
    }

    @Test
    void readsEveryConstruct() {
        NetworkPolicy p = policy("""
                podSelector: {matchLabels: {app: cart}}
                policyTypes: [Ingress, Egress]
                ingress:
                - from:
                  - podSelector: {matchExpressions: [{key: tier, operator: In, values: [web, api]}]}
                  - namespaceSelector: {matchLabels: {team: ops}}
                    podSelector: {}
                  - ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}
                  ports:
                  - {port: 8080}
                  - {protocol: UDP, port: dns}
                  - {protocol: SCTP, port: 30000, endPort: 30100}
                  - {protocol: UDP}
                egress:
                - {}
                """);

        assertEquals("shop/p", p.fullName());
        assertEquals(new Selector(Map.of("app", "cart"), List.of()), p.podSelector());
        assertEquals(Set.of(Direction.INGRESS, Direction.EGRESS), p.policyTypes());
        assertEquals(new Rule(List.of(
                        new Peer(new Selector(Map.of(), List.of(new Expression("tier", Operator.In, Set.of("web", "api")))), null, null),
                        new Peer(Selector.ALL, new Selector(Map.of("team", "ops"), List.of()), null),
                        new Peer(null, null, new IpBlock("203.0.113.0/24", List.of("203.0.113.128/25")))),
                List.of(new Port("TCP", 8080, null, 0), new Port("UDP", 0, "dns", 0), new Port("SCTP", 30000, null, 30100), new Port("UDP", 0, null, 0))),
                p.ingress().get(0));
        assertEquals(List.of(new Rule(List.of(), List.of())), p.egress(), "an empty rule allows everything");
        assertEquals(List.of(), notes);
    }

    @Test
    void policyTypesDefaultAsKubernetesDoes() {
        assertEquals(Set.of(Direction.INGRESS), policy("podSelector: {}").policyTypes());
        assertEquals(Set.of(Direction.INGRESS), policy("podSelector: {}\ningress: [{}]").policyTypes());
        assertEquals(Set.of(Direction.INGRESS, Direction.EGRESS), policy("podSelector: {}\negress: [{}]").policyTypes());
        assertEquals(Set.of(Direction.INGRESS), policy("podSelector: {}\negress: []\npolicyTypes: []").policyTypes(), "empty is absent");
        assertEquals(Set.of(Direction.EGRESS), policy("podSelector: {}\npolicyTypes: [Egress]\ningress: [{}]").policyTypes());
        assertEquals(List.of(), policy("podSelector: {}\npolicyTypes: [Egress]\ningress: [{}]").rules(Direction.INGRESS),
                "rules of a direction not in policyTypes do not apply");
    }

    @Test
    void theAuditAnnotationPutsOnePolicyInAuditMode() {
        String audited = "kind: NetworkPolicy\nmetadata: {name: p, namespace: shop, annotations: {flows.dev/audit: \"%s\"}}\nspec: {podSelector: {}}\n";
        assertEquals(true, load(audited.formatted("true")).policies().get(0).audit());
        assertEquals(false, load(audited.formatted("false")).policies().get(0).audit());
        assertEquals(false, policy("podSelector: {}").audit(), "enforced unless annotated");
        var e = assertThrows(YamlClusterLoader.InvalidClusterException.class, () -> load(audited.formatted("yes")));
        assertEquals("policies.yaml: NetworkPolicy shop/p has an invalid audit annotation: metadata.annotations.flows.dev/audit = 'yes'; "
                + "expected \"true\" (evaluate and report, do not enforce) or \"false\"", e.getMessage());
    }

    @Test
    void hostBitsOfACidrAreCleared() {
        NetworkPolicy p = policy("podSelector: {}\ningress: [{from: [{ipBlock: {cidr: 10.1.2.3/16, except: [10.1.9.9/24]}}]}]");
        assertEquals(new IpBlock("10.1.0.0/16", List.of("10.1.9.0/24")), p.ingress().get(0).peers().get(0).ipBlock());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "podSelector: {}\\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]"
                + "|policies.yaml: NetworkPolicy shop/p has an invalid CIDR: spec.ingress[0].from[0].ipBlock.cidr = '10.0.0.0/33'; expected an IPv4 prefix such as 203.0.113.0/24",
        "podSelector: {}\\negress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]"
                + "|policies.yaml: NetworkPolicy shop/p has an except outside its cidr: spec.egress[0].to[0].ipBlock.except[0] = '192.168.0.0/16'; expected a prefix strictly inside 10.0.0.0/8",
        "podSelector: {}\\ningress: [{ports: [{port: 9000, endPort: 8000}]}]"
                + "|policies.yaml: NetworkPolicy shop/p has an endPort below its port: spec.ingress[0].ports[0].endPort = '8000'; expected a number from 9000 to 65535",
        "podSelector: {}\\ningress: [{ports: [{port: http, endPort: 8000}]}]"
                + "|policies.yaml: NetworkPolicy shop/p has an endPort without a numeric port: spec.ingress[0].ports[0].endPort = '8000'; expected a numeric port to start the range, not the named port 'http'",
        "podSelector: {}\\ningress: [{ports: [{protocol: ICMP, port: 1}]}]"
                + "|policies.yaml: NetworkPolicy shop/p has an unknown protocol: spec.ingress[0].ports[0].protocol = 'ICMP'; expected TCP, UDP or SCTP",
        "podSelector: {}\\ningress: [{ports: [{port: 70000}]}]"
                + "|policies.yaml: NetworkPolicy shop/p has a port out of range: spec.ingress[0].ports[0].port = '70000'; expected a number 1-65535",
        "podSelector: {}\\ningress: [{ports: [{port: Not_A_Name}]}]"
                + "|policies.yaml: NetworkPolicy shop/p has an invalid port: spec.ingress[0].ports[0].port = 'Not_A_Name'; expected a number 1-65535 or a container port name (lowercase letters, digits, '-', at most 15)",
        "podSelector: {}\\npolicyTypes: [Ingres]"
                + "|policies.yaml: NetworkPolicy shop/p has an unknown policy type: spec.policyTypes[0] = 'Ingres'; expected Ingress or Egress",
        "podSelector: {matchExpressions: [{key: app, operator: Equals, values: [a]}]}"
                + "|policies.yaml: NetworkPolicy shop/p has an unknown operator: spec.podSelector.matchExpressions[0].operator = 'Equals'; expected In, NotIn, Exists or DoesNotExist",
        "podSelector: {matchExpressions: [{key: app, operator: In}]}"
                + "|policies.yaml: NetworkPolicy shop/p has no values: spec.podSelector.matchExpressions[0].values = (missing); expected a non-empty list for In",
        "podSelector: {}\\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]"
                + "|policies.yaml: NetworkPolicy shop/p mixes ipBlock with selectors: spec.ingress[0].from[0] = '[ipBlock, podSelector]'; expected ipBlock alone, or podSelector and/or namespaceSelector",
        "podSelector: {}\\ningress: [{from: [{}]}]"
                + "|policies.yaml: NetworkPolicy shop/p has an empty peer: spec.ingress[0].from[0] = '{}'; expected podSelector, namespaceSelector or ipBlock",
        "ingress: [{}]"
                + "|policies.yaml: NetworkPolicy shop/p has no podSelector: spec.podSelector = (missing); expected a label selector ({} selects every pod of the namespace)",
    })
    void badInputIsOneLineNamingTheValueAndWhatIsValid(String spec, String message) {
        var e = assertThrows(YamlClusterLoader.InvalidClusterException.class, () -> policy(spec.replace("\\n", "\n")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void containerPortsAreRead() {
        Pod p = load("""
                kind: Pod
                metadata: {name: cart, namespace: shop}
                spec:
                  containers:
                  - {name: a, ports: [{name: http, containerPort: 8080}, {containerPort: 9090, protocol: UDP}]}
                  - {name: b, ports: [{name: dns, containerPort: 53, protocol: UDP}]}
                """).pods().get(0);
        assertEquals(List.of(new Pod.ContainerPort("http", 8080, "TCP"), new Pod.ContainerPort("", 9090, "UDP"),
                new Pod.ContainerPort("dns", 53, "UDP")), p.ports());
    }
}
