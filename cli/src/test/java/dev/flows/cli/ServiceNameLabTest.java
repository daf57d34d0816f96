package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.lab.FlowsHome;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.TrafficDirection;
import dev.flows.proto.observer.GetFlowsResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A service connection names its service on every node (issue 11, rule 4), through the real
 * datapath of the default lab plus one ClusterIP, shop/catalog (svcname/catalog-service.yaml),
 * whose only backend runs on node-b and admits only frontend. Clients on node-a: cart-a, denied
 * at catalog's to-endpoint on node-b (the drop on the backend's node, which never saw the
 * ClusterIP), and prometheus-0, denied at its own egress on node-a. `flows observe --to-service
 * shop/catalog --verdict DROPPED` finds the drops of both nodes, every one of them.
 */
@Tag("lab")
class ServiceNameLabTest {
    private static final String CATALOG_VIP = "10.96.10.40";
    private static final String CATALOG = "10.244.2.10";
    private static final String CART_A = "10.244.1.11";
    private static final String PROMETHEUS = "10.244.1.12";
    private static final String CART_A_NS = "flows-pod-shop-cart-5d7c9b8f4-h4j2m";
    private static final String PROMETHEUS_NS = "flows-pod-infra-prometheus-0";
    private static final String FRONTEND_NS = "flows-pod-shop-frontend-6b8f9c7d5-q2x7k";
    private static final int CALLS = 3;

    private static Path cluster;
    private static LabCli lab;

    @BeforeAll
    static void labUp() throws Exception {
        cluster = Files.createTempDirectory("flows-svcname-cluster");
        Files.copy(FlowsHome.locate().resolve("deploy/lab/cluster.yaml"), cluster.resolve("cluster.yaml"));
        Files.copy(Path.of(ServiceNameLabTest.class.getResource("/svcname/catalog-service.yaml").toURI()),
                cluster.resolve("catalog-service.yaml"));
        lab = LabCli.up("flows-svcname", List.of(), cluster);
        Thread.sleep(3000);
        for (int i = 0; i < CALLS; i++) {
            assertEquals("", call(CART_A_NS, CATALOG_VIP, 8080), "catalog does not admit cart: no answer");
            assertEquals("", call(PROMETHEUS_NS, CATALOG_VIP, 8080), "prometheus may reach only the platform namespace");
        }
        assertTrue(call(FRONTEND_NS, CATALOG_VIP, 8080).contains("catalog"), "frontend is admitted through the ClusterIP");
    }

    @AfterAll
    static void labDown() throws Exception {
        try {
            if (lab != null) {
                lab.down();
            }
        } finally {
            if (cluster != null) {
                try (var files = Files.list(cluster)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(cluster);
            }
        }
    }

    /** One TCP request from a pod's namespace; the answer line, or "" when none came in 3 s. */
    private static String call(String netns, String ip, int port) throws Exception {
        String script = "exec 3<>/dev/tcp/" + ip + "/" + port + " && echo 'GET svcname-test' >&3 && timeout 3 head -1 <&3";
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "timeout", "5", "bash", "-c", script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "bash in " + netns + " did not finish");
        return out.lines().filter(l -> l.startsWith("200 ")).findFirst().orElse("");
    }

    private static List<Flow> drops(List<String> filters) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--last", "20000", "--verdict", "DROPPED", "--type", "drop"));
        args.addAll(filters);
        return lab.observe(args).stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow).toList();
    }

    private static Map<String, Long> perNode(List<Flow> flows) {
        return flows.stream().collect(Collectors.groupingBy(Flow::getNodeName, TreeMap::new, Collectors.counting()));
    }

    @Test
    void toServiceFindsTheDropsOfBothNodes() throws Exception {
        List<Flow> named = drops(List.of("--to-service", "shop/catalog"));
        Map<String, Long> nodes = perNode(named);
        assertEquals(List.of("node-a", "node-b"), List.copyOf(nodes.keySet()), "drops of both nodes: " + nodes);
        for (Flow f : named) {
            assertEquals(DropReason.POLICY_DENIED, f.getDropReasonDesc(), f.toString());
            assertEquals(CATALOG, f.getIP().getDestination(), "the backend, after DNAT: " + f);
            assertEquals("catalog", f.getDestinationService().getName());
            if (f.getNodeName().equals("node-b")) {
                assertEquals(CART_A, f.getIP().getSource(), f.toString());
                assertEquals(TrafficDirection.INGRESS, f.getTrafficDirection(), "at catalog's to-endpoint: " + f);
            } else {
                assertEquals(PROMETHEUS, f.getIP().getSource(), f.toString());
                assertEquals(TrafficDirection.EGRESS, f.getTrafficDirection(), "at prometheus-0's from-endpoint: " + f);
            }
        }
        // none is missed: every drop of these clients' connections to catalog names the service
        List<Flow> all = drops(List.of("--to-ip", CATALOG));
        Map<String, Long> allNodes = perNode(all.stream()
                .filter(f -> f.getIP().getSource().equals(CART_A) || f.getIP().getSource().equals(PROMETHEUS)).toList());
        assertEquals(allNodes, nodes, "--to-service finds every drop of the service's connections, on both nodes");
        assertTrue(nodes.get("node-b") >= CALLS, "a SYN of each of cart-a's " + CALLS + " calls at least: " + nodes);
        System.out.println("service-name lab: --to-service shop/catalog --verdict DROPPED per node " + nodes);
    }

    @Test
    void theBackendsNodeNamesTheServiceOfTheAllowedConnectionAtEveryHook() throws Exception {
        List<Flow> traces = lab.observe(List.of("--last", "20000", "--node-name", "node-b", "--to-ip", CATALOG, "--type", "trace",
                "--from-ip", "10.244.1.10")).stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow)
                .filter(f -> f.getL4().getTCP().getDestinationPort() == 8080).toList();
        assertFalse(traces.isEmpty(), "frontend's connections to catalog at node-b");
        // the lab's own frontend -> catalog calls go to the pod directly; the test's call went to the ClusterIP
        List<Flow> named = traces.stream().filter(Flow::hasDestinationService).toList();
        assertFalse(named.isEmpty(), "the ClusterIP connection at node-b: " + traces);
        assertEquals(List.of("shop/catalog"), named.stream()
                .map(f -> f.getDestinationService().getNamespace() + "/" + f.getDestinationService().getName()).distinct().toList());
        assertTrue(named.stream().map(f -> f.getTraceObservationPoint().name()).distinct().count() >= 2,
                "from-network and to-endpoint: " + named);
        assertTrue(traces.stream().anyMatch(f -> !f.hasDestinationService()),
                "frontend's direct calls to the catalog pod (the lab's own traffic) name no service: " + traces);
    }

    @Test
    void statusCountsNoServiceLeftUnnamed() throws Exception {
        LabCli.Result r = lab.flows(List.of("status"), 60);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.equals("Service connections not named on the backend's node: 0"
                + " (see flows_collector_service_option on the collectors' /metrics)")), r.out());
    }
}
