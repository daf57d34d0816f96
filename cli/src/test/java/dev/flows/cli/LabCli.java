package dev.flows.cli;

import dev.flows.cli.app.FlowsCli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.testing.BpfGate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The lab as a lab test meets it: brought up, driven and taken down through the real {@code flows}
 * CLI in subprocesses (the test's classpath, a state dir of its own), and checked afterwards for
 * anything left behind, the way a user would look.
 */
public final class LabCli {
    /** What one {@code flows} command did. */
    public record Result(int exit, String out, String err) {}

    private final Path stateDir;

    private LabCli(Path stateDir) {
        this.stateDir = stateDir;
    }

    /**
     * Waits until no other lab is up on this machine (another test class may be running one; it
     * is never touched), then brings the default lab up.
     */
    public static LabCli up(String name) throws Exception {
        return up(name, List.of());
    }

    /** A lab whose relay also gets {@code relayArgs} (e.g. an exporter's settings). */
    public static LabCli up(String name, List<String> relayArgs) throws Exception {
        return up(name, relayArgs, null);
    }

    /** A lab of another cluster YAML (file or folder; null: the default lab). */
    public static LabCli up(String name, List<String> relayArgs, Path clusterFile) throws Exception {
        BpfGate.require();
        waitForNoOtherLab();
        LabCli lab = new LabCli(Files.createTempDirectory(name));
        List<String> args = new ArrayList<>(List.of("lab", "up"));
        if (clusterFile != null) {
            args.addAll(List.of("--file", clusterFile.toString()));
        }
        relayArgs.forEach(a -> args.add("--relay-arg=" + a));
        Result r = lab.flows(args, 180);
        if (r.exit != 0) {
            lab.flows(List.of("lab", "down"), 120);
            fail("flows lab up failed: " + r.err);
        }
        return lab;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The CLI as a subprocess bound to this lab. */
    public ProcessBuilder command(List<String> args) {
        return command(List.of(), args);
    }

    /** The same with options for its JVM (e.g. -Djdk.net.hosts.file, names of its own). */
    public ProcessBuilder command(List<String> jvmOptions, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FlowsCli.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("FLOWS_LAB_DIR", stateDir.toString());
        return pb;
    }

    public Result flows(List<String> args, int timeoutSeconds) throws Exception {
        return flows(List.of(), args, timeoutSeconds);
    }

    public Result flows(List<String> jvmOptions, List<String> args, int timeoutSeconds) throws Exception {
        Path out = Files.createTempFile("flows-out", ".txt");
        Path err = Files.createTempFile("flows-err", ".txt");
        try {
            Process p = command(jvmOptions, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("flows " + args + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** {@code flows observe -o json ARGS}: every response line, parsed. */
    public List<GetFlowsResponse> observe(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("observe", "-o", "json"));
        cmd.addAll(args);
        Result r = flows(cmd, 60);
        assertEquals(0, r.exit, "flows " + cmd + " failed: " + r.err);
        return r.out.lines().filter(l -> !l.isBlank()).map(LabCli::parse).toList();
    }

    public static GetFlowsResponse parse(String line) {
        GetFlowsResponse.Builder b = GetFlowsResponse.newBuilder();
        try {
            JsonFormat.parser().merge(line, b);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not a JSON GetFlowsResponse: " + line, e);
        }
        return b.build();
    }

    /** {@code flows lab down}, then nothing of the lab may be left: namespace, link, pin or process. */
    public void down() throws Exception {
        Result r = flows(List.of("lab", "down"), 120);
        assertEquals(0, r.exit, "flows lab down failed: " + r.err);
        String netns = run("ip", "netns", "list");
        // the lab's own names only: a benchmark's namespaces (flows-bench-*) may be up meanwhile
        assertFalse(netns.lines().anyMatch(l -> l.matches("flows-(fabric|world|node-|pod-).*")), "namespaces left: " + netns);
        assertFalse(run("ip", "-o", "link", "show").contains("flows-lab0"), "root link left");
        assertFalse(Files.exists(stateDir.resolve("tls")), "the lab's certificates left");
        assertFalse(Files.exists(Path.of("/sys/fs/bpf/flows/node-a")) || Files.exists(Path.of("/sys/fs/bpf/flows/node-b")),
                "pinned maps left under /sys/fs/bpf/flows");
        // By what the lab launches (the shaded jars, the workloads class), not by any mention of a module:
        // a test's own helper JVM (e.g. a Kafka broker) may carry the relay's jars on its classpath.
        List<String> left = run("ps", "-eo", "args").lines()
                .filter(l -> l.matches(".*-jar \\S*flows-(collector|relay)-\\S*-all\\.jar.*") || l.contains("dev.flows.lab.Workloads"))
                .toList();
        assertTrue(left.isEmpty(), "lab processes left: " + left);
    }

    public static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return s;
    }

    /** Another lab's fabric namespace, or its root link still going away after a down. */
    private static void waitForNoOtherLab() throws Exception {
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(4);
        while (run("ip", "netns", "list").contains("flows-fabric") || run("ip", "-o", "link", "show").contains("flows-lab0")) {
            if (System.currentTimeMillis() > deadline) {
                fail("another lab is still up after 4 minutes (ip netns list): not touching it");
            }
            Thread.sleep(5000);
        }
    }
}
