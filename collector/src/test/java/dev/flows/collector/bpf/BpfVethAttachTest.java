package dev.flows.collector.bpf;

import static dev.flows.collector.bpf.TraceEvent.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.flows.testing.BpfGate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jnr.ffi.LibraryLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The programs on a real veth pair between two network namespaces this test creates (a "node"
 * holding the host side lxc..., a "pod" holding eth0), with real packets crossing it.
 * Addresses come from a documentation range and never leave these namespaces.
 */
@Tag("bpf")
class BpfVethAttachTest {
    private static final String NODE = "flows-test-" + ProcessHandle.current().pid() + "-node";
    private static final String POD = "flows-test-" + ProcessHandle.current().pid() + "-pod";
    private static final String VETH = "lxcflowstest";
    private static final String NODE_IP = "192.0.2.1";
    private static final String POD_IP = "192.0.2.2";
    private static Path pins;

    /** setns(2) for one thread: network namespaces are per thread, so the test's others stay put. */
    public interface Ns {
        int open(String path, int flags);

        int setns(int fd, int nstype);

        int close(int fd);
    }

    private static final int CLONE_NEWNET = 0x40000000;

    @BeforeAll
    static void namespaces() throws Exception {
        BpfGate.require();
        pins = TestPins.newDir();
        sh("ip", "netns", "add", NODE);
        sh("ip", "netns", "add", POD);
        sh("ip", "-n", NODE, "link", "add", VETH, "type", "veth", "peer", "name", "eth0", "netns", POD);
        for (String[] ns : new String[][] {{NODE, VETH, NODE_IP}, {POD, "eth0", POD_IP}}) {
            sh("ip", "netns", "exec", ns[0], "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            sh("ip", "-n", ns[0], "addr", "add", ns[2] + "/24", "dev", ns[1]);
            sh("ip", "-n", ns[0], "link", "set", ns[1], "up");
            sh("ip", "-n", ns[0], "link", "set", "lo", "up");
        }
    }

    @AfterAll
    static void cleanup() throws Exception {
        // deleting the namespaces removes the veth pair, its qdisc and any filter left on it
        for (String ns : new String[] {NODE, POD}) {
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor();
        }
        if (pins != null) Datapath.removePins(pins);
    }

    @Test
    void realPacketsAcrossAPodVethAreObserved() throws Exception {
        try (Datapath dp = Datapath.open(pins, 1 << 20, BpfConfig.DEFAULTS); RingBufferReader reader = dp.openReader()) {
            int ifindex = inNode(() -> {
                dp.attachPod(VETH);
                return NetInterfaces.list().get(VETH);
            });
            assertEquals(java.util.Set.of(VETH), dp.attachedInterfaces());
            TraceEvent.drain(reader);

            // Sent from a thread inside the node namespace; as root the JDK pings with ICMP echo.
            inNode(() -> {
                for (int i = 0; i < 3; i++) {
                    assertTrue(java.net.InetAddress.getByName(POD_IP).isReachable(2000), "ping " + POD_IP);
                }
                // a TCP connect to a closed port: the pod's kernel answers the SYN with RST+ACK
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new java.net.InetSocketAddress(POD_IP, 9), 2000);
                } catch (java.net.ConnectException expected) {
                    // refused, as intended
                }
                return null;
            });

            List<TraceEvent> events = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.stream().filter(e -> e.proto() == Frames.TCP).count() < 2 && System.nanoTime() < deadline) {
                reader.awaitData(100);
                events.addAll(TraceEvent.drain(reader));
            }
            List<TraceEvent> icmp = events.stream().filter(e -> e.proto() == Frames.ICMP).toList();
            List<TraceEvent> tcp = events.stream().filter(e -> e.proto() == Frames.TCP).toList();
            assertEquals(2, icmp.size(), "one request and one reply report; the other pings aggregate: " + events);
            TraceEvent request = icmp.stream().filter(e -> e.obsPoint() == OBS_TO_ENDPOINT).findFirst().orElseThrow();
            TraceEvent reply = icmp.stream().filter(e -> e.obsPoint() == OBS_FROM_ENDPOINT).findFirst().orElseThrow();
            assertEquals(List.of(NODE_IP, POD_IP, 8, DIR_REQUEST, REPORT_FIRST, ifindex),
                    List.of(request.src(), request.dst(), request.icmpType(), request.direction(), request.reason(), request.ifindex()));
            assertEquals(List.of(POD_IP, NODE_IP, 0, DIR_REPLY, ifindex),
                    List.of(reply.src(), reply.dst(), reply.icmpType(), reply.direction(), reply.ifindex()));
            assertEquals(request.sport(), reply.sport(), "same echo id");

            TraceEvent syn = tcp.stream().filter(e -> e.obsPoint() == OBS_TO_ENDPOINT).findFirst().orElseThrow(() -> new AssertionError(events.toString()));
            TraceEvent rst = tcp.stream().filter(e -> e.obsPoint() == OBS_FROM_ENDPOINT).findFirst().orElseThrow(() -> new AssertionError(events.toString()));
            assertEquals(List.of(Frames.SYN, 9, DIR_REQUEST), List.of(syn.tcpFlags(), syn.dport(), syn.direction()));
            assertEquals(List.of(Frames.RST | Frames.ACK, 9, DIR_REPLY), List.of(rst.tcpFlags(), rst.sport(), rst.direction()));
            assertTrue(syn.tsNs() <= rst.tsNs() && rst.tsNs() <= BootClock.nanos());

            inNode(() -> {
                dp.detach(VETH);
                return null;
            });
            assertEquals(0, filters("ingress") + filters("egress"), "detach removes our filters");
            assertEquals(java.util.Set.of(), dp.attachedInterfaces());
        }
    }

    @Test
    void aFilterLeftByACrashedRunIsReplacedNotStacked() throws Exception {
        Datapath crashed = Datapath.open(pins, 1 << 20, BpfConfig.DEFAULTS);
        inNode(() -> {
            crashed.attachPod(VETH);
            return null;
        });
        int staleId = crashed.programId("from_pod");
        crashed.abandon(); // like kill -9: fds closed, filters still attached
        assertEquals(staleId, (int) inNode(() -> crashed.filterProgramId(VETH, true)), "the stale filter keeps running");

        try (Datapath dp = Datapath.open(pins, 1 << 20, BpfConfig.DEFAULTS)) {
            inNode(() -> {
                dp.attachPod(VETH);
                return null;
            });
            int id = dp.programId("from_pod");
            assertNotEquals(staleId, id);
            assertEquals(id, (int) inNode(() -> dp.filterProgramId(VETH, true)));
            assertEquals(dp.programId("to_pod"), (int) inNode(() -> dp.filterProgramId(VETH, false)));
            assertEquals(1, filters("ingress"), "replaced, not a second filter");
            assertEquals(1, filters("egress"));
            inNode(() -> {
                dp.close();
                return null;
            });
        }
        assertEquals(0, filters("ingress") + filters("egress"), "close detaches our filters");
    }

    private static int filters(String direction) throws Exception {
        return (int) sh("tc", "-n", NODE, "filter", "show", "dev", VETH, direction).lines()
                .filter(l -> l.contains("direct-action")).count();
    }

    /** Runs body on a fresh thread that has joined the node's network namespace. */
    private static <T> T inNode(Callable<T> body) throws Exception {
        Ns ns = LibraryLoader.create(Ns.class).load("c");
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                int fd = ns.open("/run/netns/" + NODE, 0x80000 /* O_RDONLY | O_CLOEXEC */);
                assertTrue(fd >= 0, "open netns " + NODE);
                assertEquals(0, ns.setns(fd, CLONE_NEWNET), "setns " + NODE);
                ns.close(fd);
                result.set(body.call());
            } catch (Throwable e) {
                result.set(e);
            }
        }, "in-" + NODE);
        t.start();
        t.join();
        if (result.get() instanceof Throwable e) {
            if (e instanceof Exception ex) throw ex;
            throw new AssertionError(e);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result.get();
        return value;
    }

    private static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
