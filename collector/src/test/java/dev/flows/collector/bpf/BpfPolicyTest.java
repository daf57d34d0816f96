package dev.flows.collector.bpf;

import dev.flows.observer.net.Ipv4Prefix;

import static dev.flows.collector.bpf.Frames.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.collector.datapath.Backend;
import dev.flows.collector.datapath.Frontend;
import dev.flows.collector.datapath.LbMaps;
import dev.flows.collector.decode.DecodedEvent;
import dev.flows.collector.decode.Decoder;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.enrich.ServiceNames;
import dev.flows.collector.policy.PolicyMaps;
import dev.flows.collector.policy.PolicyProgrammer;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.Verdict;
import dev.flows.testing.BpfGate;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Network policy on crafted packets (BPF_PROG_TEST_RUN) in datapath mode, with the maps the
 * collector's PolicyProgrammer writes for test resource policy/bpf-policy-cluster.yaml (one
 * policy per construct), and the flows the collector's decoder and enricher make of the events each
 * decision writes. Each test uses its own client ports, so connections of one test do not meet another's.
 */
@Tag("bpf")
class BpfPolicyTest {
    private static final int TC_ACT_OK = 0;
    private static final int TC_ACT_SHOT = 2;
    private static final int LO = 1;
    private static final int MATCH_L3_L4 = 2;

    private static final String FRONTEND = "10.244.1.10", CART = "10.244.1.11", PROMETHEUS = "10.244.1.12",
            DB = "10.244.1.13", FREE = "10.244.1.14", LOCKED = "10.244.1.15", RANGED = "10.244.1.16",
            CATALOG = "10.244.2.10";

    private static Path pins;
    private static Datapath dp;
    private static RingBufferReader reader;
    private static PolicyProgrammer policies;
    private static ClusterState cluster;
    private static Decoder decoder;
    private static Enricher enricher;

    @BeforeAll
    static void load() throws URISyntaxException {
        BpfGate.require();
        pins = TestPins.newDir();
        dp = Datapath.open(pins, 1 << 20, BpfConfig.DEFAULTS.withMode(BpfConfig.MODE_DATAPATH).withNetwork(BpfServiceTest.NETWORK));
        reader = dp.openReader();
        cluster = new YamlClusterLoader(note -> {}).load(
                Path.of(BpfPolicyTest.class.getResource("/policy/bpf-policy-cluster.yaml").toURI()));
        policies = PolicyProgrammer.adopt(new PolicyMaps(dp), cluster, "node-a", false);
        decoder = new Decoder("node-a", () -> 0);
        enricher = new Enricher(cluster, "node-a", ServiceNames.NONE, policies);
    }

    @AfterAll
    static void unload() {
        if (reader != null) reader.close();
        if (dp != null) dp.close();
        if (pins != null) Datapath.removePins(pins);
    }

    @BeforeEach
    void emptyRing() {
        flows();
    }

    private static List<Flow> flows() {
        List<Flow> out = new ArrayList<>();
        DecodedEvent event = new DecodedEvent();
        reader.drain((buf, off, len) -> {
            assertNull(decoder.decode(buf, off, len, event), "every event the datapath writes decodes");
            enricher.enrich(event);
            out.add(event.flow().build());
        });
        return out;
    }

    private static List<Flow> ofType(List<Flow> flows, int type) {
        return flows.stream().filter(f -> f.getEventType().getType() == type).toList();
    }

    private static int run(String program, byte[] frame) {
        return dp.testRun(program, withChecksums(frame), LO);
    }

    private static Policy policy(String name) {
        return Policy.newBuilder().setNamespace("shop").setName(name).setKind("NetworkPolicy").build();
    }

    /** The one policy verdict among the events, checked for its direction and verdict. */
    private static Flow verdict(List<Flow> events, TrafficDirection direction, Verdict verdict) {
        List<Flow> v = ofType(events, 5);
        assertEquals(1, v.size(), () -> "one policy verdict among " + events);
        assertEquals(direction, v.get(0).getTrafficDirection());
        assertEquals(verdict, v.get(0).getVerdict());
        return v.get(0);
    }

    @Test
    void podSelectorWithANamedPortAllowsAndNamesThePolicy() {
        assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41000, CART, 8080, SYN, 0)));
        List<Flow> events = flows();
        Flow v = verdict(events, TrafficDirection.INGRESS, Verdict.FORWARDED);
        assertEquals(List.of(policy("cart-from-frontend")), v.getIngressAllowedByList());
        assertEquals(MATCH_L3_L4, v.getPolicyMatchType());
        assertEquals(CART, v.getIP().getDestination());
        assertEquals(List.of(), ofType(events, 1), "no drop");
    }

    @Test
    void aPeerNoRuleAllowsIsDeniedWithAVerdictAndADropNamingTheSelectingPolicies() {
        assertEquals(TC_ACT_SHOT, run("to_pod", tcp(PROMETHEUS, 41010, CART, 8080, SYN, 0)));
        List<Flow> events = flows();
        Flow v = verdict(events, TrafficDirection.INGRESS, Verdict.DROPPED);
        List<Policy> selecting = List.of(policy("cart-from-frontend"), policy("cart-from-prometheus"));
        assertEquals(selecting, v.getIngressDeniedByList());
        assertEquals(DropReason.POLICY_DENIED, v.getDropReasonDesc());
        List<Flow> drops = ofType(events, 1);
        assertEquals(1, drops.size(), () -> "one drop among " + events);
        assertEquals(DropReason.POLICY_DENIED, drops.get(0).getDropReasonDesc());
        assertEquals(133, drops.get(0).getEventType().getSubType());
        assertEquals(selecting, drops.get(0).getIngressDeniedByList());
        assertEquals(List.of(), ofType(events, 4), "a dropped packet is not traced as delivered");

        assertEquals(TC_ACT_SHOT, run("to_pod", tcp(PROMETHEUS, 41010, CART, 8080, SYN, 0)), "the retransmitted SYN");
        List<Flow> again = flows();
        assertEquals(List.of(), ofType(again, 5), "the connection was decided already");
        assertEquals(1, ofType(again, 1).size(), "each dropped packet is a drop event");
    }

    @Test
    void namespaceSelectorAndPodSelectorTogetherNeedBoth() {
        assertEquals(TC_ACT_OK, run("to_pod", tcp(PROMETHEUS, 41020, CART, 9090, SYN, 0)));
        assertEquals(List.of(policy("cart-from-prometheus")),
                verdict(flows(), TrafficDirection.INGRESS, Verdict.FORWARDED).getIngressAllowedByList());
        assertEquals(TC_ACT_SHOT, run("to_pod", tcp(FREE, 41021, CART, 9090, SYN, 0)),
                "infra/free is in the namespace but is no prometheus");
        verdict(flows(), TrafficDirection.INGRESS, Verdict.DROPPED);
    }

    @Test
    void namespaceSelectorWithAnEndPortRange() {
        assertEquals(TC_ACT_OK, run("to_pod", tcp(PROMETHEUS, 41030, RANGED, 8000, SYN, 0)));
        assertEquals(TC_ACT_OK, run("to_pod", tcp(FREE, 41031, RANGED, 8010, SYN, 0)));
        assertEquals(List.of(policy("ranged-from-platform")),
                ofType(flows(), 5).stream().flatMap(f -> f.getIngressAllowedByList().stream()).distinct().toList());
        assertEquals(TC_ACT_SHOT, run("to_pod", tcp(PROMETHEUS, 41032, RANGED, 8011, SYN, 0)), "past endPort");
        assertEquals(TC_ACT_SHOT, run("to_pod", tcp(PROMETHEUS, 41033, RANGED, 7999, SYN, 0)), "before port");
        assertEquals(TC_ACT_SHOT, run("to_pod", tcp(FRONTEND, 41034, RANGED, 8005, SYN, 0)), "shop is not team platform");
        assertEquals(3, ofType(flows(), 1).size());
    }

    @Test
    void ipBlockAllowsItsCidrButNotItsExcept() {
        assertEquals(TC_ACT_OK, run("from_pod", tcp(DB, 41040, "203.0.113.5", 443, SYN, 0)));
        Flow v = verdict(flows(), TrafficDirection.EGRESS, Verdict.FORWARDED);
        assertEquals(List.of(policy("db-egress")), v.getEgressAllowedByList());
        assertEquals(TC_ACT_SHOT, run("from_pod", tcp(DB, 41041, "203.0.113.200", 443, SYN, 0)), "in the except");
        List<Flow> denied = flows();
        assertEquals(List.of(policy("db-egress")), verdict(denied, TrafficDirection.EGRESS, Verdict.DROPPED).getEgressDeniedByList());
        assertEquals(List.of(policy("db-egress")), ofType(denied, 1).get(0).getEgressDeniedByList());
        assertEquals(TC_ACT_SHOT, run("from_pod", tcp(DB, 41042, "203.0.113.5", 80, SYN, 0)), "another port");
    }

    @Test
    void egressIsDecidedAgainstTheBackendAfterServiceDnat() {
        new LbMaps(dp).program(new Frontend(Ipv4Prefix.address("10.96.0.50"), 80, TCP, false), 50,
                List.of(new Backend(Ipv4Prefix.address(CART), 8080)), null, 0);
        assertEquals(TC_ACT_OK, run("from_pod", tcp(DB, 41050, "10.96.0.50", 80, SYN, 0)),
                "port 80 of the frontend is allowed as port 8080 of a cart pod");
        Flow v = verdict(flows(), TrafficDirection.EGRESS, Verdict.FORWARDED);
        assertEquals(CART, v.getIP().getDestination());
        assertEquals(8080, v.getL4().getTCP().getDestinationPort());
        assertEquals(List.of(policy("db-egress")), v.getEgressAllowedByList());
    }

    @Test
    void aPodNoPolicySelectsIsAllowedWithoutAVerdict() {
        assertEquals(TC_ACT_OK, run("to_pod", tcp(CATALOG, 41060, FREE, 8080, SYN, 0)));
        assertEquals(TC_ACT_OK, run("from_pod", tcp(FREE, 41061, CATALOG, 8080, SYN, 0)));
        assertEquals(TC_ACT_OK, run("from_pod", tcp(FRONTEND, 41062, CATALOG, 8080, SYN, 0)),
                "frontend is selected by no policy for egress");
        List<Flow> events = flows();
        assertEquals(List.of(), ofType(events, 5));
        assertEquals(List.of(), ofType(events, 1));
    }

    @Test
    void aPodSelectedWithoutRulesIsDeniedEverything() {
        assertEquals(TC_ACT_SHOT, run("to_pod", tcp(FRONTEND, 41070, LOCKED, 8080, SYN, 0)));
        assertEquals(TC_ACT_SHOT, run("to_pod", udp(CATALOG, 41071, LOCKED, 53, 8)));
        List<Flow> events = flows();
        assertEquals(2, ofType(events, 5).size());
        assertTrue(ofType(events, 5).stream().allMatch(f -> f.getIngressDeniedByList().equals(List.of(policy("locked-down")))));
    }

    @Test
    void thisNodeReachesEvenADefaultDenyPod() {
        assertEquals(TC_ACT_OK, run("to_pod", tcp("172.20.0.2", 41120, LOCKED, 8080, SYN, 0)), "the host: kubelet probes");
        assertEquals(List.of(), ofType(flows(), 5));
        assertEquals(TC_ACT_SHOT, run("to_pod", tcp("172.20.0.3", 41121, LOCKED, 8080, SYN, 0)), "another node is no exception");
    }

    @Test
    void repliesOfAnAllowedConnectionPassADeniedDirection() {
        assertEquals(TC_ACT_OK, run("from_pod", tcp(LOCKED, 41080, CATALOG, 8080, SYN, 0)), "locked may send");
        assertEquals(TC_ACT_OK, run("to_pod", tcp(CATALOG, 8080, LOCKED, 41080, SYN | ACK, 0)), "and get the answer");
        assertEquals(TC_ACT_OK, run("to_pod", tcp(CATALOG, 8080, LOCKED, 41080, ACK | PSH, 10)));
        assertEquals(List.of(), ofType(flows(), 5), "replies are not decided");
        assertEquals(TC_ACT_OK, run("from_pod", tcp(DB, 41081, "203.0.113.5", 443, SYN, 0)));
        verdict(flows(), TrafficDirection.EGRESS, Verdict.FORWARDED);
        assertEquals(TC_ACT_OK, run("to_pod", tcp("203.0.113.5", 443, DB, 41081, SYN | ACK, 0)));
        assertEquals(TC_ACT_OK, run("from_pod", tcp(DB, 41081, "203.0.113.5", 443, ACK, 0)));
        assertEquals(List.of(), ofType(flows(), 5), "nor is the rest of an allowed connection");
    }

    @Test
    void establishedTrafficIsNotDecidedAgainEvenWhenPoliciesChange() {
        assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41090, CART, 8080, SYN, 0)));
        assertEquals(TC_ACT_OK, run("from_pod", tcp(CART, 8080, FRONTEND, 41090, SYN | ACK, 0)));
        verdict(flows(), TrafficDirection.INGRESS, Verdict.FORWARDED);
        ClusterState without = new ClusterState(cluster.nodes(), cluster.namespaces(), cluster.pods(), cluster.services(),
                cluster.policies().stream().filter(p -> !p.name().equals("cart-from-frontend")).toList(), cluster.endpointSlices());
        try {
            assertTrue(policies.apply(without) > 0, "removing a policy rewrites its entries");
            assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41090, CART, 8080, ACK | PSH, 20)), "the open connection goes on");
            assertEquals(List.of(), ofType(flows(), 5), "and is not decided again");
            assertEquals(TC_ACT_SHOT, run("to_pod", tcp(FRONTEND, 41091, CART, 8080, SYN, 0)), "a new one is denied now");
            assertEquals(List.of(policy("cart-from-prometheus")),
                    verdict(flows(), TrafficDirection.INGRESS, Verdict.DROPPED).getIngressDeniedByList());
        } finally {
            policies.apply(cluster);
        }
        assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41091, CART, 8080, SYN, 0)),
                "the retransmitted SYN of the denied connection is allowed once the policy is back");
        verdict(flows(), TrafficDirection.INGRESS, Verdict.FORWARDED);
    }

    @Test
    void anAuditModePolicyForwardsWhatItWouldDenyAndOnceEnforcedDecidesOnlyNewConnections() {
        ClusterState audited = new ClusterState(cluster.nodes(), cluster.namespaces(), cluster.pods(), cluster.services(),
                cluster.policies().stream().map(p -> p.name().equals("locked-down") ? p.audited() : p).toList(), cluster.endpointSlices());
        try {
            assertTrue(policies.apply(audited) > 0, "audit mode is a change of the endpoint's mode");
            assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41130, LOCKED, 8080, SYN, 0)), "audit mode never drops");
            List<Flow> events = flows();
            Flow v = verdict(events, TrafficDirection.INGRESS, Verdict.AUDIT);
            assertEquals(List.of(policy("locked-down")), v.getIngressDeniedByList(), "named as the policy that would deny it");
            assertEquals(List.of(), ofType(events, 1), "no drop");
            assertEquals(TC_ACT_OK, run("from_pod", tcp(LOCKED, 8080, FRONTEND, 41130, SYN | ACK, 0)));
            assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41130, LOCKED, 8080, ACK, 0)));
            assertEquals(List.of(), ofType(flows(), 5), "an audited connection is decided once");
        } finally {
            assertTrue(policies.apply(cluster) > 0, "the annotation removed: enforced again");
        }
        assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41130, LOCKED, 8080, ACK | PSH, 10)), "the established connection keeps its verdict");
        assertEquals(List.of(), ofType(flows(), 5));
        assertEquals(TC_ACT_SHOT, run("to_pod", tcp(FRONTEND, 41131, LOCKED, 8080, SYN, 0)), "a new one is denied");
        verdict(flows(), TrafficDirection.INGRESS, Verdict.DROPPED);
    }

    @Test
    void anAuditModePolicyBesideAnEnforcedOneChangesNothing() {
        // cart is selected by two enforced policies; a third, audited, that would allow prometheus on 8080 must not
        ClusterState withAudit = new ClusterState(cluster.nodes(), cluster.namespaces(), cluster.pods(), cluster.services(),
                java.util.stream.Stream.concat(cluster.policies().stream(), cluster.policies().stream()
                        .filter(p -> p.name().equals("cart-from-frontend"))
                        .map(p -> new dev.flows.cluster.NetworkPolicy(p.namespace(), "cart-audit-everyone", p.podSelector(), p.policyTypes(),
                                List.of(new dev.flows.cluster.NetworkPolicy.Rule(List.of(), List.of())), List.of(), true))).toList(),
                cluster.endpointSlices());
        try {
            policies.apply(withAudit);
            assertEquals(TC_ACT_SHOT, run("to_pod", tcp(PROMETHEUS, 41140, CART, 8080, SYN, 0)), "the enforced policies alone decide");
            verdict(flows(), TrafficDirection.INGRESS, Verdict.DROPPED);
        } finally {
            policies.apply(cluster);
        }
    }

    @Test
    void aRestartedCollectorAdoptsThePinnedMapsAndDropsWhatTheClusterNoLongerHas() {
        PolicyMaps maps = new PolicyMaps(dp);
        BpfMap policyMap = dp.map(dev.flows.collector.bpf.MapLayout.POLICY);
        int before = count(policyMap);
        byte[] stale = dev.flows.collector.policy.PolicyMapLayout.policyKey(
                dev.flows.collector.policy.PolicyKey.port(Ipv4Prefix.address(FREE), 0, 0, TCP, 1234));
        policyMap.put(stale, dev.flows.collector.policy.PolicyMapLayout.policyValue(new dev.flows.collector.policy.PolicyValue(99)));
        assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41100, CART, 8080, SYN, 0)));
        PolicyProgrammer.adopt(maps, cluster, "node-a", false);
        assertNull(policyMap.get(stale), "an entry the cluster does not have is removed");
        assertEquals(before, count(policyMap), "every entry of the cluster is there");
        assertEquals(TC_ACT_OK, run("to_pod", tcp(FRONTEND, 41100, CART, 8080, ACK, 0)), "connections are kept");
    }

    private static int count(BpfMap map) {
        int[] n = {0};
        map.forEach((k, v) -> n[0]++);
        return n[0];
    }

    @Test
    void observeModeEnforcesNothing() {
        Path observePins = TestPins.newDir();
        try (Datapath observe = Datapath.open(observePins, 1 << 20, BpfConfig.DEFAULTS.withNetwork(BpfServiceTest.NETWORK));
                RingBufferReader r = observe.openReader()) {
            PolicyProgrammer.adopt(new PolicyMaps(observe), cluster, "node-a", false);
            assertEquals(TC_ACT_OK, observe.testRun("to_pod", withChecksums(tcp(FRONTEND, 41110, LOCKED, 8080, SYN, 0)), LO));
            List<Integer> types = new ArrayList<>();
            r.drain((buf, off, len) -> types.add((int) buf.get(off + dev.flows.collector.decode.EventLayout.HDR_TYPE)));
            assertEquals(List.of(4), types, "only the trace: no verdict, no drop");
        } finally {
            Datapath.removePins(observePins);
        }
    }
}
