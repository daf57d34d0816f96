package dev.flows.cli;

import dev.flows.cli.app.FlowsCli;

import dev.flows.observer.wire.GetFlowsStreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import dev.flows.collector.api.ObserverService;
import dev.flows.collector.api.ServerIdentity;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.collector.pipeline.LossCounters;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The commands that talk to a server, against a real collector ObserverService (on loopback)
 * holding the sample flows: status, nodes, and observe --input-file answering exactly as the
 * server does for the same flows and flags.
 */
class ServerCommandsTest {
    static final long SECOND = 1_000_000_000L;
    static Server server;
    static ExecutorService streams;
    static String address;
    static final AtomicLong mono = new AtomicLong();

    @TempDir static Path dir;
    static Path file;

    @BeforeAll
    static void start() throws Exception {
        FlowBuffer buffer = new FlowBuffer(1023);
        for (Flow f : SampleFlows.ALL) {
            buffer.append(f);
            if (f == SampleFlows.DROP) {
                buffer.appendLost(LostEvent.newBuilder().setSource(LostEventSource.OBSERVER_EVENTS_QUEUE).setNumEventsLost(3).build(),
                        Timestamps.toNanos(f.getTime()) + SECOND / 2);
            }
        }
        streams = GetFlowsStreams.executor(4);
        LossCounters losses = new LossCounters(() -> 5, () -> 3, () -> 1, () -> 2);
        ObserverService observer = new ObserverService(buffer, losses, new ServerIdentity("node-a", "10.0.0.1:4244", "flows 0.1.0"),
                streams, () -> (SampleFlows.T0 + 60) * SECOND, mono::get);
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus(StatusCommand.HEALTH_SERVICE, ServingStatus.SERVING);
        server = ServerBuilder.forPort(0).addService(observer).addService(health.getHealthService()).build().start();
        address = "localhost:" + server.getPort();
        mono.set(3_725 * SECOND); // 1h2m5s of uptime
        // The file: the server's whole history as -o json prints it.
        Result all = run("observe", "--server", address, "--all", "-o", "json");
        assertEquals(0, all.code, all.err);
        file = dir.resolve("flows.json");
        Files.writeString(file, all.out);
    }

    @AfterAll
    static void stop() {
        server.shutdownNow();
        streams.shutdownNow();
    }

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = FlowsCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void theFileHoldsEveryFlowAndTheLossNotice() {
        List<String> lines = List.of(run("observe", "--input-file", file.toString(), "--all", "-o", "json").out.split("\n"));
        assertEquals(SampleFlows.ALL.size() + 1, lines.size());
        assertTrue(lines.get(3).contains("\"lost_events\""), lines.get(3));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "--all",
        "",
        "--last 2",
        "--last 4",
        "--first 3",
        "--first 3 -o compact",
        "--all -o dict --print-node-name",
        "--all -o table",
        "--all --pod shop/cart",
        "--all --from-pod shop/frontend --to-pod infra/",
        "--all --namespace infra",
        "--all --from-namespace shop --to-namespace shop",
        "--all --not --namespace infra",
        "--all --ip 10.244.2.12",
        "--all --from-ip 10.244.0.0/16 --to-ip 203.0.113.0/24",
        "--all --port 8080",
        "--all --to-port 443 --to-port 5353",
        "--all --not --from-port 43210",
        "--all --label app=cart",
        "--all --from-label k8s:app=frontend --to-label app=coredns",
        "--all --service shop/cart",
        "--all --to-service shop/",
        "--all --not --from-service shop/cart",
        "--all --identity 5678",
        "--all --to-identity world",
        "--all --from-identity 1234 --not --to-identity reserved:world",
        "--all --workload cart",
        "--all --from-workload Deployment/frontend --to-workload coredns",
        "--all --node-name node-b",
        "--all --node-name node-*",
        "--all --protocol udp --protocol icmp",
        "--all --tcp-flags SYN,ACK",
        "--all --tcp-flags SYN --not --tcp-flags ACK",
        "--all --ip-version 4",
        "--all --ip-version v6",
        "--all --verdict DROPPED --verdict TRANSLATED",
        "--all --not --verdict FORWARDED",
        "--all --type drop",
        "--all -t trace:to-network",
        "--all --type trace-sock",
        "--since 2026-11-21T20:07:03Z --until 2026-11-21T20:07:06Z",
        "--since 2026-11-21T20:07:03Z --last 2",
        "--until 2026-11-21T20:07:04Z --first 2",
    })
    void inputFileAnswersAsTheServerDoes(String flags) {
        List<String> args = flags.isBlank() ? List.of() : List.of(flags.split(" "));
        List<String> output = flags.contains("-o ") ? List.of() : List.of("-o", "json");
        List<String> fromServer = new ArrayList<>(List.of("observe", "--server", address));
        List<String> fromFile = new ArrayList<>(List.of("observe", "--input-file", file.toString()));
        fromServer.addAll(output);
        fromFile.addAll(output);
        fromServer.addAll(args);
        fromFile.addAll(args);
        Result s = run(fromServer.toArray(String[]::new));
        Result f = run(fromFile.toArray(String[]::new));
        assertEquals(0, s.code, s.err);
        assertEquals(0, f.code, f.err);
        assertEquals(s.out, f.out);
        assertEquals(s.err, f.err);
    }

    @Test
    void aServerThatIsNotThereIsNamedByTheAddressThatRefused() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Result r = run("status", "--server", "127.0.0.1:" + port);
        assertEquals(1, r.code);
        assertEquals(1, r.err.lines().count(), r.err);
        // gRPC alone says "io exception"; the user needs to know which address refused
        assertTrue(r.err.startsWith("flows: server 127.0.0.1:" + port + ": UNAVAILABLE: io exception (Connection refused: "), r.err);
        assertTrue(r.err.strip().endsWith("127.0.0.1:" + port + ")"), r.err);
    }

    @Test
    void inputFileSelectionIsNotTrivial() {
        // Guards the comparison above against "both print everything" or "both print nothing".
        Result drops = run("observe", "--input-file", file.toString(), "--all", "--verdict", "DROPPED", "-o", "compact");
        // Loss notices are not flows: filters do not remove them, on the server as here.
        assertEquals(2, drops.out.lines().count(), drops.out);
        assertTrue(drops.out.lines().findFirst().orElseThrow().contains("Policy denied DROPPED"), drops.out);
        assertEquals("EVENTS LOST: OBSERVER_EVENTS_QUEUE 3", drops.out.lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void inputFileAcceptsBareFlowLines(@TempDir Path tmp) throws Exception {
        Path bare = tmp.resolve("bare.json");
        StringBuilder b = new StringBuilder();
        for (Flow f : SampleFlows.ALL) {
            b.append(com.google.protobuf.util.JsonFormat.printer().omittingInsignificantWhitespace().print(f)).append('\n');
        }
        Files.writeString(bare, b.toString());
        Result fromBare = run("observe", "--input-file", bare.toString(), "--all", "--protocol", "tcp", "-o", "json");
        Result fromServer = run("observe", "--server", address, "--all", "--protocol", "tcp", "-o", "json");
        assertEquals(0, fromBare.code, fromBare.err);
        // The same flows (the server also sends its loss notice, and names itself as the node).
        assertEquals(flows(fromServer.out), flows(fromBare.out));
        assertEquals(5, flows(fromBare.out).size());
    }

    private static List<Flow> flows(String jsonLines) throws Exception {
        List<Flow> flows = new ArrayList<>();
        for (String line : jsonLines.split("\n")) {
            dev.flows.proto.observer.GetFlowsResponse.Builder r = dev.flows.proto.observer.GetFlowsResponse.newBuilder();
            com.google.protobuf.util.JsonFormat.parser().merge(line, r);
            if (r.hasFlow()) {
                flows.add(r.getFlow());
            }
        }
        return flows;
    }

    @Test
    void inputFileWithAnUnreadableLineFailsWithOneLine(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"flow\":{}}\nnot json\n");
        Result r = run("observe", "--input-file", bad.toString());
        assertEquals(1, r.code);
        assertEquals(1, r.err.lines().count(), r.err);
        assertTrue(r.err.startsWith("flows: " + bad + " line 2: not a JSON flow or GetFlowsResponse"), r.err);
    }

    @Test
    void statusChecksHealthThenPrintsServerStatus() {
        Result r = run("status", "--server", address);
        assertEquals(0, r.code, r.err);
        assertEquals(List.of(
                "Healthcheck (via " + address + "): Ok",
                "Current/Max Flows: 8/1,023 (0.78%)",
                "Flows/s: 0.00",
                "Connected Nodes: 1/1",
                "Events lost: kernel ring 5, event queue 3, decode errors 1, reader overrun 0",
                "Service connections not named on the backend's node: 2 (see flows_collector_service_option on the collectors' /metrics)"),
                r.out.lines().toList());
    }

    @Test
    void statusOfAServerThatIsNotServingExits1() throws Exception {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus(StatusCommand.HEALTH_SERVICE, ServingStatus.NOT_SERVING);
        Server sick = ServerBuilder.forPort(0).addService(health.getHealthService()).build().start();
        try {
            Result r = run("status", "--server", "localhost:" + sick.getPort());
            assertEquals(1, r.code);
            assertEquals("flows: server localhost:" + sick.getPort() + " is not healthy: NOT_SERVING", r.err.strip());
        } finally {
            sick.shutdownNow();
        }
    }

    @Test
    void nodesPrintsATableAndWideAddsVersionAndAddress() {
        Result r = run("nodes", "--server", address);
        assertEquals(0, r.code, r.err);
        assertEquals(List.of(
                "NAME     STATUS      AGE   FLOWS/S   CURRENT/MAX-FLOWS",
                "node-a   Connected   62m   0.00      8/1023 (0.78%)"), r.out.lines().toList());
        Result wide = run("nodes", "--server", address, "-o", "wide");
        assertEquals(List.of(
                "NAME     STATUS      AGE   FLOWS/S   CURRENT/MAX-FLOWS   VERSION       ADDRESS",
                "node-a   Connected   62m   0.00      8/1023 (0.78%)      flows 0.1.0   10.0.0.1:4244"), wide.out.lines().toList());
    }

    @Test
    void unreachableServerForStatusAndNodesExits1WithOneLine() {
        for (String cmd : List.of("status", "nodes")) {
            Result r = run(cmd, "--server", "127.0.0.1:1");
            assertEquals(1, r.code, cmd);
            assertEquals(1, r.err.lines().count(), r.err);
            assertTrue(r.err.startsWith("flows: server 127.0.0.1:1: UNAVAILABLE"), r.err);
        }
    }

    @Test
    void completionScriptsKnowEveryCommandAndObserveFlag() {
        for (String shell : List.of("bash", "zsh")) {
            Result r = run("completion", shell);
            assertEquals(0, r.code, r.err);
            for (String word : List.of("observe", "status", "nodes", "--from-service", "--to-identity", "--tcp-flags", "--input-file", "--color")) {
                assertTrue(r.out.contains(word), shell + " script lacks " + word);
            }
            assertTrue(r.out.contains("complete -F"), shell);
        }
        assertTrue(run("completion", "zsh").out.contains("bashcompinit"));
        assertFalse(run("completion", "bash").out.startsWith("# flows completion for zsh"));
    }
}
