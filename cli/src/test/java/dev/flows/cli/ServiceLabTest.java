package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import dev.flows.lab.FlowsHome;
import dev.flows.lab.LabState;
import dev.flows.lab.LabUp;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Services through the real datapath of the default lab: clients in pods on both nodes reach the
 * cart ClusterIP and are answered by every backend, kube-dns answers over UDP, the NodePort
 * answers from the outside namespace on either node, and `flows observe` shows the translations.
 * Clients are bash's /dev/tcp and /dev/udp: their sockets are connected to the service address,
 * so an answer that did not come back from the VIP (or the NodePort) would never be read.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceLabTest {
    private static final Set<String> CARTS = Set.of("shop/cart-5d7c9b8f4-h4j2m", "shop/cart-5d7c9b8f4-w9z6t");
    private static final String FRONTEND_NS = "flows-pod-shop-frontend-6b8f9c7d5-q2x7k";
    private static final String TOOLBOX_NS = "flows-pod-default-toolbox";

    private static LabCli lab;

    @BeforeAll
    static void labUp() throws Exception {
        lab = LabCli.up("flows-services");
        Thread.sleep(3000);
    }

    @AfterAll
    static void labDown() throws Exception {
        if (lab != null) {
            lab.down();
        }
    }

    /** Runs bash in a namespace; returns what it printed. */
    private static String inNetns(String netns, String script) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bash in " + netns + " did not finish");
        return out;
    }

    /** n TCP connections to ip:port, each one request line; the answers, one per line. */
    private static List<String> tcpCalls(String netns, String ip, int port, int n) throws Exception {
        String script = "for i in $(seq " + n + "); do exec 3<>/dev/tcp/" + ip + "/" + port + " || continue;"
                + " echo \"GET service-test $i\" >&3; timeout 3 head -1 <&3; exec 3<&-; done";
        return inNetns(netns, script).lines().toList();
    }

    /** The pods that answered ("200 <ns/pod> <request>"). */
    private static Set<String> answeredBy(List<String> answers) {
        Set<String> pods = new TreeSet<>();
        for (String a : answers) {
            String[] parts = a.split(" ");
            if (parts.length >= 2 && parts[0].equals("200")) {
                pods.add(parts[1]);
            }
        }
        return pods;
    }

    @Test
    @Order(1)
    void clientsOnBothNodesReachEveryBackendThroughTheClusterIp() throws Exception {
        for (String netns : List.of(FRONTEND_NS, TOOLBOX_NS)) {
            List<String> answers = tcpCalls(netns, "10.96.10.20", 8080, 30);
            assertEquals(30, answers.stream().filter(a -> a.startsWith("200 ")).count(),
                    "every connection from " + netns + " to the ClusterIP is answered: " + answers);
            assertEquals(CARTS, answeredBy(answers), "30 connections from " + netns + " reach both cart pods");
        }
    }

    @Test
    void kubeDnsAnswersOverUdpThroughItsClusterIp() throws Exception {
        String script = "for i in 1 2 3 4 5; do exec 3<>/dev/udp/10.96.0.10/53; echo q >&3;"
                + " timeout 2 dd bs=200 count=1 status=none <&3; echo; exec 3<&-; done";
        List<String> answers = inNetns(FRONTEND_NS, script).lines().filter(l -> !l.isBlank()).toList();
        assertEquals(List.of("answer infra/coredns-6f8b9d7c4-l5k8s"), answers.stream().distinct().toList(), answers.toString());
        assertEquals(5, answers.size(), "every datagram is answered from 10.96.0.10:53");
    }

    @Test
    void theNodePortAnswersFromOutsideOnEitherNode() throws Exception {
        Set<String> all = new TreeSet<>();
        for (String node : List.of("172.20.0.2", "172.20.0.3")) {
            List<String> answers = tcpCalls("flows-world", node, 30080, 20);
            assertEquals(20, answers.stream().filter(a -> a.startsWith("200 ")).count(),
                    "every connection from the outside to " + node + ":30080 is answered: " + answers);
            all.addAll(answeredBy(answers));
        }
        assertEquals(CARTS, all, "backends on the node called and on the other node both answer");
    }

    @Test
    void observeShowsTheTranslationsAndTheServices() throws Exception {
        tcpCalls("flows-world", "172.20.0.2", 30080, 10);
        List<Flow> translated = flows(lab.observe(List.of("--last", "5000", "--verdict", "TRANSLATED")));
        assertFalse(translated.isEmpty());
        assertTrue(translated.stream().allMatch(f -> f.getVerdict() == Verdict.TRANSLATED));

        Flow dnat = find(translated, "DNAT of a request to cart at from-endpoint",
                f -> f.getTraceObservationPoint() == TraceObservationPoint.FROM_ENDPOINT
                        && f.getDestinationService().getName().equals("cart") && f.getSummary().contains("DNAT 10.96.10.20:8080 => "));
        assertTrue(CARTS.contains(dnat.getDestination().getNamespace() + "/" + dnat.getDestination().getPodName()),
                "the flow names the backend pod: " + dnat.getDestination());
        find(translated, "reverse DNAT of a reply from cart at to-endpoint",
                f -> f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT && f.getIsReply().getValue()
                        && f.getSourceService().getName().equals("cart") && f.getSummary().contains("reverse DNAT"));
        find(translated, "NodePort to the other node: DNAT and SNAT to the node address",
                f -> f.getTraceObservationPoint() == TraceObservationPoint.FROM_NETWORK && f.getIP().getSource().equals("203.0.113.10")
                        && f.getIP().getSourceXlated().equals("172.20.0.2") && f.getDestinationService().getName().equals("cart-public"));
        find(translated, "kube-dns over UDP", f -> f.getDestinationService().getName().equals("kube-dns") && f.getL4().hasUDP());

        List<Flow> toCart = flows(lab.observe(List.of("--last", "5000", "--to-service", "shop/cart")));
        assertFalse(toCart.isEmpty());
        // The service filter is a prefix (as Hubble's): shop/cart also selects shop/cart-public.
        assertTrue(toCart.stream().allMatch(f -> f.getDestinationService().getName().startsWith("cart")
                && f.getDestinationService().getNamespace().equals("shop")), "--to-service selects what it says");
        assertTrue(toCart.stream().anyMatch(f -> f.getDestinationService().getName().equals("cart")));
        List<Flow> fromDns = flows(lab.observe(List.of("--last", "5000", "--from-service", "infra/kube-dns")));
        assertTrue(fromDns.stream().anyMatch(f -> f.getIsReply().getValue()), "replies name the service they come from");
    }

    @Test
    void podsLeavingTheClusterAreMasqueradedToTheirNodesAddress() throws Exception {
        // A server in the outside namespace that answers each connection with the address it came from.
        java.nio.file.Path source = lab.stateDir().resolve("PeerEcho.java");
        java.nio.file.Files.writeString(source, String.join("\n",
                "public class PeerEcho {",
                "  public static void main(String[] a) throws Exception {",
                "    try (var server = new java.net.ServerSocket(7070, 50, java.net.InetAddress.getByName(\"203.0.113.10\"))) {",
                "      System.out.println(\"listening\");",
                "      while (true) {",
                "        try (var s = server.accept()) {",
                "          s.getOutputStream().write((\"peer \" + s.getInetAddress().getHostAddress() + \"\\n\").getBytes());",
                "        }",
                "      }",
                "    }",
                "  }",
                "}", ""));
        Process server = new ProcessBuilder("ip", "netns", "exec", "flows-world",
                ProcessHandle.current().info().command().orElse("java"), source.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader ready = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("listening", ready.readLine());
            List<String> fromA = tcpCalls(FRONTEND_NS, "203.0.113.10", 7070, 3);
            List<String> fromB = tcpCalls(TOOLBOX_NS, "203.0.113.10", 7070, 3);
            assertEquals(List.of("peer 172.20.0.2"), fromA.stream().distinct().toList(), "node-a's pod leaves as node-a: " + fromA);
            assertEquals(List.of("peer 172.20.0.3"), fromB.stream().distinct().toList(), "node-b's pod leaves as node-b: " + fromB);
            assertEquals(6, fromA.size() + fromB.size(), "every connection answered (replies translated back)");

            List<Flow> snat = flows(lab.observe(List.of("--last", "5000", "--verdict", "TRANSLATED", "--to-ip", "203.0.113.10")));
            Flow out = find(snat, "SNAT of frontend's connection at to-network",
                    f -> f.getTraceObservationPoint() == TraceObservationPoint.TO_NETWORK && f.getIP().getSource().equals("10.244.1.10")
                            && f.getIP().getSourceXlated().equals("172.20.0.2") && f.getSummary().contains("SNAT 10.244.1.10:"));
            assertEquals("frontend-6b8f9c7d5-q2x7k", out.getSource().getPodName(), "the flow names the pod, not the node");
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Last: it kills and restarts node-a's collector. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aServiceConnectionSurvivesItsCollectorKilledAndRestarted() throws Exception {
        // Opened before the kill, used after the restart: their backends and NAT live in the pinned
        // maps. Eight of them: had the state been lost, a fresh random choice would send some
        // connection to the other backend (1 in 128 that none is), which answers with a reset.
        Process client = new ProcessBuilder("ip", "netns", "exec", FRONTEND_NS, "bash", "-c",
                "for i in 3 4 5 6 7 8 9 10; do eval \"exec $i<>/dev/tcp/10.96.10.20/8080\" || exit 1; done; echo connected;"
                        + " read -r go; for i in 3 4 5 6 7 8 9 10; do echo \"GET long-lived $i\" >&$i; timeout 5 head -1 <&$i; done")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("connected", out.readLine());

        LabState state = new LabState(lab.stateDir());
        LabState.Proc a = state.processes().stream().filter(x -> x.role().equals("collector-node-a") && LabState.alive(x))
                .findFirst().orElseThrow();
        LabCli.run("kill", "-9", Long.toString(a.pid()));
        Thread.sleep(1000);
        new LabUp(state, line -> {}).restartCollector("node-a", FlowsHome.locate(), Duration.ofSeconds(60));
        long restarted = System.currentTimeMillis();

        try (OutputStream in = client.getOutputStream()) {
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
        }
        List<String> answers = out.lines().toList();
        assertTrue(client.waitFor(30, TimeUnit.SECONDS));
        assertEquals(8, answers.stream().filter(l -> l.startsWith("200 shop/cart-") && l.contains("GET long-lived")).count(),
                "every connection opened before the kill is answered after the restart: " + answers);

        // The relay reconnects to the restarted collector with a backoff (1 s, doubling), so the
        // check asks again until it is back rather than after a fixed wait.
        long deadline = System.currentTimeMillis() + 30_000;
        boolean reported;
        do {
            Thread.sleep(1000);
            List<Flow> after = flows(lab.observe(List.of("--last", "2000", "--node-name", "node-a", "--verdict", "TRANSLATED")));
            reported = after.stream().anyMatch(f -> Timestamps.toMillis(f.getTime()) > restarted
                    && f.getDestinationService().getName().equals("cart"));
        } while (!reported && System.currentTimeMillis() < deadline);
        assertTrue(reported, "the restarted collector reports translations again (asked for 30 s)");
    }

    private static List<Flow> flows(List<GetFlowsResponse> responses) {
        List<Flow> out = new ArrayList<>();
        responses.stream().filter(GetFlowsResponse::hasFlow).forEach(r -> out.add(r.getFlow()));
        return out;
    }

    private static Flow find(List<Flow> flows, String what, java.util.function.Predicate<Flow> p) {
        return flows.stream().filter(p).findFirst().orElseThrow(() -> new AssertionError("no flow: " + what + " among "
                + flows.size() + " flows"));
    }
}
