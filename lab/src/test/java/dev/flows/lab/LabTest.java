package dev.flows.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flows.testing.BpfGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab end to end with real namespaces (root only): build, traffic, seal, teardown, crash. */
@Tag("lab")
class LabTest {
    private static final String FRONTEND = "flows-pod-shop-frontend-6b8f9c7d5-q2x7k";
    private static final String CART_A = "10.244.1.11"; // same node as frontend
    private static final String CATALOG = "10.244.2.10"; // other node
    private static final String COREDNS = "10.244.2.12"; // other node, UDP 5353

    @TempDir Path stateDir;
    private final Commands sh = new Commands();
    private final List<String> log = new ArrayList<>();
    private LabState state;

    @BeforeEach
    void requireRootAndNoLab() {
        BpfGate.require();
        assumeTrue(LabDown.labNamespacesPresent(sh).isEmpty() && !LabDown.linkExists(sh, LabNames.ROOT_LINK),
                "another lab is up on this machine");
        state = new LabState(stateDir.resolve("lab"));
    }

    @AfterEach
    void alwaysDown() {
        if (state != null) {
            new LabDown(sh, state, log::add).down();
            assertNothingLeft();
        }
    }

    private void up() {
        Path home = Path.of(System.getenv("FLOWS_HOME"));
        new LabUp(sh, state, log::add).up(new LabUp.Options(home.resolve("deploy/lab/cluster.yaml"), home, false, Duration.ofSeconds(30), List.of()));
    }

    @Test
    void upBuildsTheClusterAndTrafficFlowsWithinItOnly() throws Exception {
        up();

        List<String> netns = List.of(sh.check("ip", "netns", "list").split("\n")).stream().map(l -> l.split(" ")[0]).toList();
        assertTrue(netns.containsAll(List.of("flows-fabric", "flows-world", "flows-node-node-a", "flows-node-node-b", FRONTEND)), netns.toString());
        assertEquals(11, LabDown.labNamespacesPresent(sh).size(), "fabric, world, 2 nodes, 7 pods");
        assertTrue(sh.check("ip", "-o", "addr", "show", "dev", "flows-lab0").contains("172.20.0.254/24"));
        String nodeA = sh.check("ip", "-n", "flows-node-node-a", "route", "show");
        assertTrue(nodeA.contains("10.244.1.11 dev lxc"), nodeA);
        assertTrue(nodeA.contains("10.244.2.0/24 via 172.20.0.3 dev eth0"), nodeA);
        assertTrue(sh.check("ip", "-n", "flows-node-node-a", "-o", "link", "show").contains("lxc"));
        assertEquals("1", sh.check("ip", "netns", "exec", "flows-node-node-a", "sysctl", "-n", "net.ipv4.ip_forward").strip());

        assertEquals("ok", inNetns(FRONTEND, () -> Workloads.callTcp(new InetSocketAddress(CART_A, 8080), "test")), "TCP same node");
        assertEquals("ok", inNetns(FRONTEND, () -> Workloads.callTcp(new InetSocketAddress(CATALOG, 8080), "test")), "TCP across nodes");
        assertEquals("ok", inNetns(FRONTEND, () -> Workloads.callUdp(new InetSocketAddress(COREDNS, 5353), "test")), "UDP across nodes");
        assertEquals("refused", inNetns(FRONTEND, () -> Workloads.callTcp(new InetSocketAddress(CART_A, 9999), "test")), "closed port: RST");
        try (ServerSocket world = inNetns("flows-world", () -> listen("203.0.113.10", 8000));
                ServerSocket node = inNetns("flows-node-node-b", () -> listen("172.20.0.3", LabNames.COLLECTOR_PORT))) {
            assertTrue(inNetns("flows-node-node-b", () -> connects("203.0.113.10", 8000)), "nodes reach the world");
            assertTrue(connects("172.20.0.3", LabNames.COLLECTOR_PORT), "root reaches node IPs through flows-lab0");
            assertTrue(LabStatus.answers("172.20.0.3:" + LabNames.COLLECTOR_PORT));
        }

        // Sealed: no lab namespace has a route to the machine's networks (route lookup only, nothing sent).
        for (String ns : LabDown.labNamespacesPresent(sh)) {
            assertFalse(sh.tryRun("ip", "-n", ns, "route", "get", "192.0.2.1"), ns + " has a route to 192.0.2.1");
            assertFalse(sh.tryRun("ip", "-n", ns, "route", "get", "8.8.8.8"), ns + " has a route to 8.8.8.8");
        }
        assertTrue(sh.check("ip", "route", "get", "172.20.0.2").contains("dev flows-lab0"));

        List<String> status = new LabStatus(state).report();
        assertTrue(status.get(0).startsWith("lab: up"), status.toString());
        assertTrue(status.stream().anyMatch(l -> l.startsWith("process workloads") && l.endsWith("running")), status.toString());
    }

    @Test
    void downAfterACrashStillRemovesEverything() throws Exception {
        up();
        for (LabState.Proc p : state.processes()) {
            assertTrue(LabState.alive(p));
            sh.check("kill", "-9", Long.toString(p.pid()));
            ProcessHandle.of(p.pid()).ifPresent(h -> h.onExit().join());
        }

        int removed = new LabDown(sh, state, log::add).down();

        assertTrue(removed > 11, "removed " + removed + ": " + log);
        assertNothingLeft();
        assertEquals(0, new LabDown(sh, state, log::add).down(), "down is idempotent");
    }

    @Test
    void downWithoutStateRemovesLeftoversByName() {
        up();
        long pid = state.processes().get(0).pid();
        sh.check("kill", "-9", Long.toString(pid));
        sh.check("rm", "-f", state.file().toString());

        new LabDown(sh, state, log::add).down();

        assertNothingLeft();
    }

    @Test
    void upRefusesASecondLab() {
        up();
        var e = org.junit.jupiter.api.Assertions.assertThrows(LabException.class, this::up);
        assertTrue(e.getMessage().contains("already up"), e.getMessage());
    }

    private void assertNothingLeft() {
        assertEquals(List.of(), LabDown.labNamespacesPresent(sh));
        assertFalse(LabDown.linkExists(sh, LabNames.ROOT_LINK));
        assertFalse(Files.exists(state.file()));
        assertFalse(Files.exists(Path.of(LabNames.pinDir("node-a"))));
        assertNotEquals("", sh.check("ip", "link", "show")); // root still has its own links
        assertFalse(sh.check("ip", "link", "show").contains("flows-lab0"));
    }

    private static ServerSocket listen(String ip, int port) {
        try {
            return new ServerSocket(port, 10, InetAddress.getByName(ip));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean connects(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static <T> T inNetns(String ns, Supplier<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                new Netns().enter(ns);
                result.complete(action.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        return result.get();
    }
}
