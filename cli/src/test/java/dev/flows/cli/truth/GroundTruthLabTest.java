package dev.flows.cli.truth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.flows.cli.LabCli;
import dev.flows.lab.LabNames;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The flows of the default lab against a packet capture of the same window (issue 11): tshark in
 * each node's namespace records every packet of the lab's own traffic on every interface, and
 * {@link GroundTruth} checks, connection by connection and hook by hook, that flows name each
 * one with the tuple the capture saw and count exactly the packets captured there.
 */
@Tag("lab")
class GroundTruthLabTest {
    private static final List<String> NODES = List.of("node-a", "node-b");
    /** The API ports of collectors and their metrics: our own plumbing, not the lab's workloads. */
    private static final Set<Integer> PLUMBING = Set.of(4244, 9966);
    private static final String FILTER = "(tcp or udp) and not port 4244 and not port 9966 and (net 10.244.0.0/16"
            + " or net 10.96.0.0/16 or net 172.20.0.0/16 or net 203.0.113.0/24)";
    private static final long CAPTURE_NS = 30_000_000_000L;
    /** The lab's aggregation interval is 5 s; a flush comes at the latest 1.25 intervals after. */
    private static final long FLUSH_NS = 8_000_000_000L;
    private static final long TAIL_NS = 1_000_000_000L;

    @Test
    void everyCapturedPacketIsInTheFlowsOfItsHook() throws Exception {
        LabCli lab = LabCli.up("flows-truth");
        List<Process> tsharks = new ArrayList<>();
        Path dir = Files.createTempDirectory("flows-truth");
        try {
            Thread.sleep(2000); // the workloads' first connections
            Map<String, Set<Integer>> pods = new HashMap<>();
            for (String node : NODES) {
                pods.put(node, podInterfaces(LabNames.nodeNetns(node)));
                tsharks.add(new ProcessBuilder("ip", "netns", "exec", LabNames.nodeNetns(node), "tshark", "-i", "any",
                        "-y", "LINUX_SLL2", "-l", "-n", "-f", FILTER, "-T", "fields", "-E", "separator=,", "-E", "occurrence=f",
                        "-e", "frame.time_epoch", "-e", "sll.ifindex", "-e", "sll.pkttype", "-e", "ip.src", "-e", "ip.dst",
                        "-e", "ip.proto", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport")
                        .redirectOutput(dir.resolve(node + ".txt").toFile())
                        .redirectError(dir.resolve(node + ".err").toFile()).start());
            }
            for (String node : NODES) {
                awaitCapturing(dir.resolve(node + ".err"));
            }
            long start = nowNs();
            Thread.sleep(CAPTURE_NS / 1_000_000);
            long end = nowNs();
            for (Process p : tsharks) {
                p.destroy(); // SIGTERM: tshark writes what it has and exits
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "tshark did not stop");
            }
            Thread.sleep(FLUSH_NS / 1_000_000);

            List<GroundTruth.Packet> packets = new ArrayList<>();
            for (String node : NODES) {
                for (String line : Files.readAllLines(dir.resolve(node + ".txt"))) {
                    GroundTruth.Packet p = GroundTruth.parseTshark(node, line);
                    if (p != null && p.hook().ifindex() != 1) {
                        packets.add(p); // loopback carries none of the lab's traffic between pods and nodes
                    }
                }
            }
            List<GetFlowsResponse> responses = lab.observe(List.of("--all", "--since", Instant.ofEpochSecond(0, start).toString()));
            List<Flow> flows = new ArrayList<>();
            for (GetFlowsResponse r : responses) {
                if (r.hasLostEvents()) {
                    fail("flows lost events during the window: " + r.getLostEvents());
                }
                if (r.hasFlow() && !plumbing(r.getFlow())) {
                    flows.add(r.getFlow());
                }
            }
            GroundTruth.Result result = GroundTruth.compare(packets, flows, pods, start, end, FLUSH_NS, TAIL_NS);
            System.out.println("ground truth: " + result);
            String findings = java.util.stream.Stream.of(result.missing(), result.phantom(), result.mismatch())
                    .flatMap(List::stream).limit(30).map(Object::toString).collect(Collectors.joining("\n  "));
            assertTrue(result.connections() >= 100, "the lab's traffic in 20 s of capture: " + result);
            assertEquals(result.packetsCaptured(), result.packetsInFlows(), result + "\n  " + findings);
            assertTrue(result.clean(), result + "\n  " + findings);
        } finally {
            for (Process p : tsharks) {
                p.destroyForcibly();
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
            lab.down();
        }
    }

    private static boolean plumbing(Flow f) {
        if (f.getL4().hasTCP()) {
            return PLUMBING.contains(f.getL4().getTCP().getSourcePort()) || PLUMBING.contains(f.getL4().getTCP().getDestinationPort());
        }
        return false;
    }

    /** The ifindexes of the pods' veths in a node's namespace (the uplink is the other link). */
    private static Set<Integer> podInterfaces(String netns) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "ip", "-o", "link", "show").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        Set<Integer> pods = new HashSet<>();
        for (String line : out.lines().toList()) {
            String[] f = line.split(":\\s*");
            if (f.length > 1 && f[1].startsWith("lxc")) {
                pods.add(Integer.parseInt(f[0].trim()));
            }
        }
        assertTrue(!pods.isEmpty(), "no pod veths in " + netns + ": " + out);
        return pods;
    }

    private static void awaitCapturing(Path err) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (Files.exists(err) && Files.readString(err).contains("Capturing on")) {
                Thread.sleep(500);
                return;
            }
            Thread.sleep(100);
        }
        fail("tshark did not start capturing: " + Files.readString(err));
    }

    private static long nowNs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
