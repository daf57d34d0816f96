package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import dev.flows.lab.FlowsHome;
import dev.flows.lab.LabState;
import dev.flows.lab.LabUp;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.relay.NodeState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * The relay in the real lab (two nodes): {@code flows observe} without --server goes through it,
 * sees both nodes merged in time order, and keeps following when a collector is killed and
 * restarted.
 */
@Tag("lab")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayLabTest {
    private static LabCli lab;

    @BeforeAll
    static void labUp() throws Exception {
        lab = LabCli.up("flows-relay-lab");
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
    void labStatusShowsTheRelayAsEntryPoint() throws Exception {
        LabCli.Result r = lab.flows(List.of("lab", "status"), 60);
        assertTrue(r.out().contains("relay 127.0.0.1:4245 answering"), r.out());
    }

    /** mTLS is the lab's default: the status names what any client connects with, and nothing less is served. */
    @Test
    @Order(1)
    void labStatusGivesTheCertificatesAnyClientConnectsWith() throws Exception {
        LabCli.Result json = lab.flows(List.of("lab", "status", "-o", "json"), 60);
        assertEquals(0, json.exit(), json.err());
        Struct.Builder status = Struct.newBuilder();
        JsonFormat.parser().merge(json.out(), status);
        Struct tls = status.getFieldsOrThrow("tls").getStructValue();
        String ca = tls.getFieldsOrThrow("ca").getStringValue();
        String cert = tls.getFieldsOrThrow("clientCert").getStringValue();
        String key = tls.getFieldsOrThrow("clientKey").getStringValue();
        assertEquals("relay.flows.dev", tls.getFieldsOrThrow("serverName").getStringValue());
        for (String f : List.of(ca, cert, key)) {
            assertTrue(f.startsWith(lab.stateDir().toString()) && Files.isReadable(Path.of(f)), f + " in the lab's state, readable");
        }
        String text = lab.flows(List.of("lab", "status"), 60).out();
        assertTrue(text.contains("tls ca " + ca + "\n") && text.contains("tls client cert " + cert + "\n")
                && text.contains("tls client key " + key + "\n") && text.contains("tls server name relay.flows.dev"), text);

        // A client that knows nothing of the lab dials the relay by its certificate's name, which its
        // hosts file maps to the relay's address (not "localhost": where that is ::1 first, an IPv6
        // refusal hides the relay's answer)...
        Path hosts = Files.writeString(lab.stateDir().resolve("client-hosts"), "127.0.0.1 relay.flows.dev\n");
        List<String> jvm = List.of("-Djdk.net.hosts.file=" + hosts);
        LabCli.Result withFiles = lab.flows(jvm, List.of("status", "--server", "tls://relay.flows.dev:4245", "--tls-ca-cert-files", ca,
                "--tls-client-cert-file", cert, "--tls-client-key-file", key), 60);
        assertEquals(0, withFiles.exit(), withFiles.err());
        // ...and is refused without its certificate, or in plaintext.
        LabCli.Result noCert = lab.flows(jvm, List.of("status", "--server", "tls://relay.flows.dev:4245", "--tls-ca-cert-files", ca), 60);
        assertEquals("flows: server relay.flows.dev:4245 requires a client certificate from its CA: expected --tls-client-cert-file and "
                + "--tls-client-key-file signed by it", noCert.err().strip());
        LabCli.Result plaintext = lab.flows(jvm, List.of("status", "--server", "relay.flows.dev:4245"), 60);
        assertEquals("flows: server relay.flows.dev:4245 did not answer in plaintext: expected plaintext; it may require TLS (use --tls or tls://)",
                plaintext.err().strip());
        assertFalse(Files.readString(lab.stateDir().resolve("relay.log")).contains("PLAINTEXT"), "the relay serves TLS, so it does not warn");
    }

    @Test
    @Order(2)
    void bothNodesArriveMergedInTimeOrder() throws Exception {
        List<GetFlowsResponse> rs = observe("--all");
        assertTrue(rs.get(0).hasNodeStatus() && rs.get(0).getNodeStatus().getStateChange() == NodeState.NODE_CONNECTED,
                "node status first: " + rs.get(0));
        assertEquals(List.of("node-a", "node-b"), rs.get(0).getNodeStatus().getNodeNamesList().stream().sorted().toList());
        List<GetFlowsResponse> flows = rs.stream().filter(GetFlowsResponse::hasFlow).toList();
        assertTrue(flows.stream().anyMatch(f -> f.getFlow().getNodeName().equals("node-a")), "flows of node-a");
        assertTrue(flows.stream().anyMatch(f -> f.getFlow().getNodeName().equals("node-b")), "flows of node-b");
        assertInTimeOrder(flows);
    }

    /**
     * A finished history is merged exactly: no flow may come after a newer one. (The first flow
     * has nothing before it; a Long.MIN_VALUE start once made "latest - t" overflow into a gap of
     * ~86,000 days, which is where an "86 days early" flow came from.) Offenders print as JSON.
     */
    private static void assertInTimeOrder(List<GetFlowsResponse> flows) {
        GetFlowsResponse newest = flows.get(0);
        List<String> late = new ArrayList<>();
        for (GetFlowsResponse f : flows.subList(1, flows.size())) {
            if (Timestamps.compare(f.getFlow().getTime(), newest.getFlow().getTime()) < 0) {
                late.add(json(f) + "\n  came after\n" + json(newest));
            } else {
                newest = f;
            }
        }
        assertTrue(late.isEmpty(), late.size() + " of " + flows.size() + " flows out of time order:\n" + String.join("\n", late));
    }

    private static String json(GetFlowsResponse r) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(r);
        } catch (InvalidProtocolBufferException e) {
            return r.toString();
        }
    }

    @Test
    @Order(3)
    void lastTenIsTenAcrossTheCluster() throws Exception {
        List<GetFlowsResponse> flows = observe("--last", "10").stream().filter(GetFlowsResponse::hasFlow).toList();
        assertEquals(10, flows.size());
    }

    @Test
    @Order(4)
    void followSurvivesACollectorKilledAndRestarted() throws Exception {
        List<GetFlowsResponse> seen = new CopyOnWriteArrayList<>();
        Process p = lab.command(List.of("observe", "--follow", "-o", "json")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    seen.add(LabCli.parse(line));
                }
            } catch (IOException e) {
                // the process was stopped
            }
        });
        reader.start();
        try {
            await(seen, s -> flowsOf(s, "node-a", 0) > 0 && flowsOf(s, "node-b", 0) > 0, "live flows of both nodes", 30);

            LabState state = new LabState(lab.stateDir());
            LabState.Proc b = state.processes().stream().filter(x -> x.role().equals("collector-node-b") && LabState.alive(x))
                    .findFirst().orElseThrow();
            LabCli.run("kill", "-9", Long.toString(b.pid()));
            long killed = now();
            await(seen, s -> s.stream().anyMatch(r -> r.hasNodeStatus() && r.getNodeStatus().getNodeNamesList().contains("node-b")
                    && (r.getNodeStatus().getStateChange() == NodeState.NODE_ERROR
                            || r.getNodeStatus().getStateChange() == NodeState.NODE_UNAVAILABLE)), "node-b reported down", 20);
            await(seen, s -> flowsOf(s, "node-a", killed + 2_000_000_000L) > 0, "node-a flows go on", 20);

            new LabUp(state, line -> {}).restartCollector("node-b", FlowsHome.locate(), Duration.ofSeconds(60));
            long restarted = now();
            await(seen, s -> s.stream().anyMatch(r -> r.hasNodeStatus() && r.getNodeStatus().getStateChange() == NodeState.NODE_CONNECTED
                    && r.getNodeStatus().getNodeNamesList().contains("node-b")), "node-b announced back", 90);
            await(seen, s -> flowsOf(s, "node-b", restarted) > 0, "node-b flows back in the same stream", 30);
            assertTrue(p.isAlive(), "the client stream never failed");
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
        }
    }

    @Test
    @Order(5)
    void afterACollectorRestartTheHistoryIsStillInTimeOrder() throws Exception {
        // The restarted collector re-read what its predecessor left in the pinned ring, with its own clock offset.
        List<GetFlowsResponse> flows = observe("--all").stream().filter(GetFlowsResponse::hasFlow).toList();
        assertTrue(flows.stream().anyMatch(f -> f.getFlow().getNodeName().equals("node-b")), "flows of the restarted node-b");
        assertInTimeOrder(flows);
    }

    private static long flowsOf(List<GetFlowsResponse> rs, String node, long afterNanos) {
        return rs.stream().filter(r -> r.hasFlow() && r.getFlow().getNodeName().equals(node)
                && Timestamps.toNanos(r.getFlow().getTime()) > afterNanos).count();
    }

    private static long now() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    private static void await(List<GetFlowsResponse> seen, Predicate<List<GetFlowsResponse>> p, String what, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!p.test(seen)) {
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + seconds + " s; last responses: "
                        + seen.subList(Math.max(0, seen.size() - 3), seen.size()));
            }
            Thread.sleep(100);
        }
    }

    private static List<GetFlowsResponse> observe(String... args) throws Exception {
        return lab.observe(List.of(args));
    }
}
