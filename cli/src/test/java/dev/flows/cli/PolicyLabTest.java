package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Policy;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Network policy through the real datapath of the default lab: prometheus-0 may reach only the
 * platform namespace (infra/prometheus-platform-only), so its connections to a cart pod get no
 * answer while those to coredns do; catalog admits frontend (shop/catalog-from-frontend). `flows
 * observe` shows the denial as a drop and a verdict naming the policy, and the allowed
 * connections as verdicts naming the allowing policy.
 */
@Tag("lab")
class PolicyLabTest {
    private static final String PROMETHEUS_NS = "flows-pod-infra-prometheus-0";
    private static final String PROMETHEUS = "10.244.1.12";
    private static final String CART_B = "10.244.2.11";
    private static final String COREDNS = "10.244.2.12";
    private static final Policy PLATFORM_ONLY = Policy.newBuilder().setNamespace("infra").setName("prometheus-platform-only")
            .setKind("NetworkPolicy").build();
    private static final Policy CATALOG_FROM_FRONTEND = Policy.newBuilder().setNamespace("shop").setName("catalog-from-frontend")
            .setKind("NetworkPolicy").build();

    private static LabCli lab;

    @BeforeAll
    static void labUp() throws Exception {
        lab = LabCli.up("flows-policy");
        Thread.sleep(3000);
    }

    @AfterAll
    static void labDown() throws Exception {
        if (lab != null) {
            lab.down();
        }
    }

    /** One TCP request from prometheus-0 to ip:port; the answer line, or "" when none came in 3 s. */
    private static String call(String ip, int port) throws Exception {
        String script = "exec 3<>/dev/tcp/" + ip + "/" + port + " && echo 'GET policy-test' >&3 && timeout 3 head -1 <&3";
        Process p = new ProcessBuilder("ip", "netns", "exec", PROMETHEUS_NS, "timeout", "5", "bash", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "bash in " + PROMETHEUS_NS + " did not finish");
        return out.lines().filter(l -> l.startsWith("200 ")).findFirst().orElse("");
    }

    private static List<Flow> flows(List<GetFlowsResponse> responses) {
        return responses.stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow).toList();
    }

    @Test
    void theDeniedConnectionGetsNoAnswerAndAnAllowedOneDoes() throws Exception {
        assertEquals("", call(CART_B, 8080), "prometheus-0 -> cart is denied: no answer");
        assertTrue(call(COREDNS, 5353).contains("coredns"), "prometheus-0 -> coredns (platform namespace) is answered");
    }

    @Test
    void observeShowsTheDenialWithThePolicysName() throws Exception {
        List<Flow> dropped = flows(lab.observe(List.of("--last", "5000", "--verdict", "DROPPED", "--from-ip", PROMETHEUS)));
        assertFalse(dropped.isEmpty(), "prometheus-0 calls cart every second: its denials are DROPPED flows");
        List<Flow> drops = dropped.stream().filter(f -> f.getEventType().getType() == 1).toList();
        List<Flow> verdicts = dropped.stream().filter(f -> f.getEventType().getType() == 5).toList();
        assertFalse(drops.isEmpty(), "drop events");
        assertFalse(verdicts.isEmpty(), "denied policy verdicts");
        for (Flow f : dropped) {
            assertEquals(CART_B, f.getIP().getDestination(), f.toString());
            assertEquals(DropReason.POLICY_DENIED, f.getDropReasonDesc(), f.toString());
            assertEquals(List.of(PLATFORM_ONLY), f.getEgressDeniedByList(), f.toString());
            assertEquals(TrafficDirection.EGRESS, f.getTrafficDirection());
            assertEquals("node-a", f.getNodeName(), "egress is decided on the client's node");
            assertEquals("prometheus-0", f.getSource().getPodName());
        }
        // and the default (compact) output names the policy on each line
        LabCli.Result compact = lab.flows(List.of("observe", "--last", "20", "--verdict", "DROPPED", "--from-ip", PROMETHEUS), 60);
        assertEquals(0, compact.exit(), compact.err());
        // flow lines (node status notices print on stdout too in compact)
        List<String> lines = compact.out().lines().filter(l -> l.contains(" -> ")).toList();
        assertFalse(lines.isEmpty());
        for (String l : lines) {
            assertTrue(l.contains("DROPPED") && l.contains("by infra/prometheus-platform-only"), l);
        }
    }

    @Test
    void observeShowsAllowedVerdictsWithTheAllowingPolicy() throws Exception {
        List<Flow> verdicts = flows(lab.observe(List.of("--last", "5000", "--type", "policy-verdict", "--verdict", "FORWARDED")));
        Flow toCatalog = verdicts.stream().filter(f -> f.getIngressAllowedByList().equals(List.of(CATALOG_FROM_FRONTEND)))
                .findFirst().orElseThrow(() -> new AssertionError("no verdict naming catalog-from-frontend among " + verdicts));
        assertEquals(TrafficDirection.INGRESS, toCatalog.getTrafficDirection());
        assertEquals("node-b", toCatalog.getNodeName());
        assertEquals("frontend-6b8f9c7d5-q2x7k", toCatalog.getSource().getPodName());
        assertEquals("catalog-7f6d8c9b5-p8n3r", toCatalog.getDestination().getPodName());
        assertEquals(Verdict.FORWARDED, toCatalog.getVerdict());
        call(COREDNS, 5353);
        List<Flow> egress = flows(lab.observe(List.of("--last", "5000", "--type", "policy-verdict", "--from-ip", PROMETHEUS,
                "--verdict", "FORWARDED")));
        assertTrue(egress.stream().anyMatch(f -> f.getEgressAllowedByList().equals(List.of(PLATFORM_ONLY))
                && f.getIP().getDestination().equals(COREDNS)), "prometheus-0 -> coredns allowed by its policy: " + egress);
    }
}
