package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.observer.GetFlowsResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The foundation end to end: the default lab cluster with real collectors and real traffic,
 * checked through what a user sees: the JSON lines of {@code flows observe}.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabEndToEndTest {
    private static final String NODE_A = "172.20.0.2:4244";
    private static final String NODE_B = "172.20.0.3:4244";
    private static final String FRONTEND = "shop/frontend-6b8f9c7d5-q2x7k";
    private static final String CART_A = "shop/cart-5d7c9b8f4-h4j2m";
    private static final String CATALOG = "shop/catalog-7f6d8c9b5-p8n3r";
    private static final String COREDNS = "infra/coredns-6f8b9d7c4-l5k8s";

    private static LabCli lab;

    @BeforeAll
    static void labUp() throws Exception {
        lab = LabCli.up("flows-e2e");
        // Let the workloads run: every TCP call opens a new connection, so a few seconds give
        // many connections of every kind.
        Thread.sleep(6000);
    }

    @AfterAll
    static void labDown() throws Exception {
        if (lab != null) {
            lab.down();
        }
    }

    @Test
    @Order(1)
    void sameNodeTcpRequestAndReplyCarryPodsPortsFlagsAndPoints() throws Exception {
        List<Flow> flows = observe(NODE_A, "--all");
        Flow syn = find(flows, "SYN from frontend to cart at from-endpoint", f -> pod(f.getSource()).equals(FRONTEND)
                && pod(f.getDestination()).equals(CART_A) && f.getL4().getTCP().getDestinationPort() == 8080
                && f.getL4().getTCP().getFlags().getSYN() && !f.getL4().getTCP().getFlags().getACK()
                && f.getTraceObservationPoint() == TraceObservationPoint.FROM_ENDPOINT);
        assertEquals("shop", syn.getSource().getNamespace());
        assertEquals("shop", syn.getDestination().getNamespace());
        assertTrue(syn.hasIsReply() && !syn.getIsReply().getValue(), "a SYN is a request");
        assertEquals("node-a", syn.getNodeName());
        assertEquals(4, syn.getEventType().getType(), "trace event");
        assertTrue(syn.getSource().getLabelsList().contains("k8s:app=frontend"), syn.getSource().getLabelsList().toString());
        assertTrue(syn.getSource().getIdentity() >= 256, "pods have cluster identities");

        find(flows, "SYN delivered to cart at to-endpoint", f -> pod(f.getDestination()).equals(CART_A)
                && f.getL4().getTCP().getFlags().getSYN() && f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT);
        Flow synAck = find(flows, "SYN-ACK reply from cart", f -> pod(f.getSource()).equals(CART_A)
                && pod(f.getDestination()).equals(FRONTEND) && f.getL4().getTCP().getSourcePort() == 8080
                && f.getL4().getTCP().getFlags().getSYN() && f.getL4().getTCP().getFlags().getACK());
        assertTrue(synAck.hasIsReply() && synAck.getIsReply().getValue(), "a SYN-ACK is a reply");
    }

    @Test
    @Order(2)
    void crossNodeFlowsAreSeenOnBothNodes() throws Exception {
        find(observe(NODE_A, "--all"), "frontend to catalog leaving node-a at to-network",
                f -> pod(f.getSource()).equals(FRONTEND) && pod(f.getDestination()).equals(CATALOG)
                        && f.getTraceObservationPoint() == TraceObservationPoint.TO_NETWORK);
        List<Flow> onB = observe(NODE_B, "--all");
        find(onB, "frontend to catalog arriving on node-b at from-network",
                f -> pod(f.getSource()).equals(FRONTEND) && pod(f.getDestination()).equals(CATALOG)
                        && f.getTraceObservationPoint() == TraceObservationPoint.FROM_NETWORK && f.getNodeName().equals("node-b"));
        Flow delivered = find(onB, "frontend to catalog delivered at to-endpoint on node-b",
                f -> pod(f.getSource()).equals(FRONTEND) && pod(f.getDestination()).equals(CATALOG)
                        && f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT);
        assertEquals(8080, delivered.getL4().getTCP().getDestinationPort());
        Flow udp = find(onB, "UDP request to coredns", f -> pod(f.getDestination()).equals(COREDNS)
                && f.getL4().hasUDP() && f.getL4().getUDP().getDestinationPort() == 5353);
        assertFalse(udp.getIsReply().getValue(), "the UDP request is not a reply");
        find(onB, "UDP answer from coredns", f -> pod(f.getSource()).equals(COREDNS) && f.getL4().hasUDP()
                && f.getL4().getUDP().getSourcePort() == 5353 && f.getIsReply().getValue());
    }

    @Test
    @Order(3)
    void closedPortAnswersWithReset() throws Exception {
        Flow rst = find(observe(NODE_A, "--all", "--port", "9999"), "RST from cart:9999", f -> pod(f.getSource()).equals(CART_A)
                && f.getL4().getTCP().getSourcePort() == 9999 && f.getL4().getTCP().getFlags().getRST());
        assertTrue(rst.getIsReply().getValue(), "the RST answers the client's SYN");
    }

    @Test
    @Order(4)
    void filtersSelectWhatTheySay() throws Exception {
        List<Flow> byPod = observe(NODE_A, "--all", "--pod", CART_A);
        assertFalse(byPod.isEmpty());
        assertTrue(byPod.stream().allMatch(f -> pod(f.getSource()).equals(CART_A) || pod(f.getDestination()).equals(CART_A)),
                "--pod matches either end");
        assertTrue(byPod.stream().anyMatch(f -> pod(f.getSource()).equals(CART_A)));
        assertTrue(byPod.stream().anyMatch(f -> pod(f.getDestination()).equals(CART_A)));

        List<Flow> fromPod = observe(NODE_A, "--all", "--from-pod", FRONTEND);
        assertFalse(fromPod.isEmpty());
        assertTrue(fromPod.stream().allMatch(f -> pod(f.getSource()).equals(FRONTEND)), "--from-pod matches the source only");

        List<Flow> all = observe(NODE_A, "--all");
        assertTrue(all.stream().anyMatch(LabEndToEndTest::touches9999), "the workloads do call port 9999");
        List<Flow> not9999 = observe(NODE_A, "--all", "--not", "--port", "9999");
        assertFalse(not9999.isEmpty());
        assertTrue(not9999.stream().noneMatch(LabEndToEndTest::touches9999), "--not --port 9999 excludes them");

        List<Flow> last = observe(NODE_A, "--last", "7");
        assertEquals(7, last.size(), "--last 7 returns exactly 7 flows");
    }

    @Test
    @Order(5)
    void followDeliversNewFlowsWithinOneSecond() throws Exception {
        List<long[]> seen = new CopyOnWriteArrayList<>(); // {flow time ms, arrival ms}
        Process p = lab.command(List.of("observe", "--server", NODE_A, "--follow", "--last", "1", "-o", "json")).start();
        long started = System.currentTimeMillis();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    long arrival = System.currentTimeMillis();
                    GetFlowsResponse r = LabCli.parse(line);
                    if (r.hasFlow()) {
                        seen.add(new long[] {Timestamps.toMillis(r.getFlow().getTime()), arrival});
                    }
                }
            } catch (IOException e) {
                // the process was stopped
            }
        });
        reader.start();
        Thread.sleep(5000);
        p.destroy();
        p.waitFor(10, TimeUnit.SECONDS);
        reader.join(5000);
        // New flows are those that happened after the stream was open (the JVM starts first).
        List<long[]> fresh = seen.stream().filter(s -> s[0] > started + 2000).toList();
        assertTrue(fresh.size() >= 10, "follow delivered only " + fresh.size() + " new flows in 3 s");
        long worst = fresh.stream().mapToLong(s -> s[1] - s[0]).max().orElseThrow();
        assertTrue(worst < 1000, "a new flow took " + worst + " ms to arrive");
    }

    private static boolean touches9999(Flow f) {
        return f.getL4().getTCP().getSourcePort() == 9999 || f.getL4().getTCP().getDestinationPort() == 9999;
    }

    private static String pod(dev.flows.proto.flow.Endpoint e) {
        return e.getNamespace() + "/" + e.getPodName();
    }

    private static Flow find(List<Flow> flows, String what, Predicate<Flow> p) {
        return flows.stream().filter(p).findFirst()
                .orElseGet(() -> fail("no flow: " + what + " among " + flows.size() + " flows"));
    }

    private static List<Flow> observe(String server, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("--server", server));
        cmd.addAll(List.of(args));
        return lab.observe(cmd).stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow).toList();
    }
}
