package dev.flows.cli.top;

import static dev.flows.cli.top.Flows.CART;
import static dev.flows.cli.top.Flows.CATALOG;
import static dev.flows.cli.top.Flows.FRONTEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.cli.app.FlowsCli;
import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code flows top} without a terminal (plain output) against a real gRPC server. */
class TopCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<GetFlowsRequest> requests = new CopyOnWriteArrayList<>();
    private Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    private int run(String... args) {
        CommandLine cl = FlowsCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    // Intervals of 2 s: one interval must cover the channel set-up on a busy 2-core machine.

    /** A server that sends the flows, then keeps the follow stream open as a real one does. */
    private String serve(List<Flow> flows) throws Exception {
        server = ServerBuilder.forPort(0).addService(new ObserverGrpc.ObserverImplBase() {
            @Override
            public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> responses) {
                requests.add(request);
                flows.forEach(f -> responses.onNext(GetFlowsResponse.newBuilder().setFlow(f).build()));
            }
        }).build().start();
        return "127.0.0.1:" + server.getPort();
    }

    @Test
    void onceFollowsWithTheFiltersAndPrintsOnePlainTable() throws Exception {
        String target = serve(List.of(Flows.tcp(FRONTEND, CART, 40000, 8080, false), Flows.tcp(CART, FRONTEND, 8080, 40000, true),
                Flows.tcp(FRONTEND, CATALOG, 40001, 8080, false), Flows.drop(FRONTEND, CATALOG, 9999, DropReason.POLICY_DENIED)));

        int code = run("top", "--server", target, "--once", "--interval", "2s", "--not", "--pod", "kube-system/x");

        assertEquals(0, code, err.toString());
        List<String> lines = out.toString().lines().toList();
        assertTrue(lines.get(0).startsWith("flows top - " + target + " - flows by rate - "), lines.get(0));
        assertTrue(lines.get(1).startsWith("SOURCE "), lines.get(1));
        assertTrue(lines.get(2).matches(FRONTEND + " +" + CART + " +TCP/8080 +[0-9.]+ +2 +FORWARDED"), "request and reply in one row: " + lines.get(2));
        assertEquals(3, lines.stream().filter(l -> l.startsWith(FRONTEND)).count(), out.toString());
        assertFalse(out.toString().contains("\u001b"), "no escape codes when not a terminal");

        GetFlowsRequest req = requests.get(0);
        assertTrue(req.getFollow());
        assertEquals(0, req.getNumber(), "no history: only new flows");
        assertEquals(2, req.getBlacklistCount(), "observe's filter flags: --not --pod is a source and a destination filter: " + req);
    }

    @Test
    void dropsShowsOnlyDropsWithTheirReason() throws Exception {
        String target = serve(List.of(Flows.tcp(FRONTEND, CART, 40000, 8080, false), Flows.drop(FRONTEND, CATALOG, 9999, DropReason.POLICY_DENIED)));

        assertEquals(0, run("top", "--server", target, "--once", "--interval", "2s", "--drops", "--sort", "total"));

        List<String> lines = out.toString().lines().toList();
        assertTrue(lines.get(0).contains("drops by total - ") && lines.get(0).contains("1 total, 1 pairs"), lines.get(0));
        assertTrue(lines.get(1).contains("TOTAL*") && lines.get(1).endsWith("REASON"), lines.get(1));
        assertTrue(lines.get(2).matches(FRONTEND + " +" + CATALOG + " +TCP/9999 +[0-9.]+ +1 +POLICY_DENIED"), lines.get(2));
        assertEquals(3, lines.stream().filter(l -> !l.isBlank()).count(), out.toString());
    }

    @Test
    void unreachableServerExitsWith1AndOneLine() {
        assertEquals(1, run("top", "--server", "127.0.0.1:1", "--once", "--interval", "300ms"));
        assertTrue(err.toString().startsWith("flows: server 127.0.0.1:1: UNAVAILABLE"), err.toString());
        assertEquals(1, err.toString().lines().count());
    }

    @Test
    void intervalAndWindowTakeDurationsAndBareSecondsAsTopAlwaysHas() {
        TopCommand top = dev.flows.observer.config.Options.parse(new TopCommand(), "--interval", "2", "--window", "1m30s", "--sort", "Total");
        assertEquals(java.time.Duration.ofSeconds(2), top.interval);
        assertEquals(java.time.Duration.ofSeconds(90), top.window);
        assertEquals(Sort.TOTAL, top.sort);
        top = dev.flows.observer.config.Options.parse(new TopCommand(), "--interval", "250ms", "--window", "3600");
        assertEquals(java.time.Duration.ofMillis(250), top.interval);
        assertEquals(java.time.Duration.ofHours(1), top.window);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        --interval 10x  | flows: --interval 10x: must be a number with ms, s, m or h, e.g. 500ms, 5s
        --interval 10ms | flows: --interval 10ms: must be a duration between 100ms and 1h
        --interval 0    | flows: --interval 0: must be a duration between 100ms and 1h
        --interval 2h   | flows: --interval 2h: must be a duration between 100ms and 1h
        --window 0s     | flows: --window 0s: must be a duration between 1s and 1h
        --sort speed    | flows: --sort speed: must be rate, total or name
        --limit -1      | flows: --limit -1: must be a number of rows >= 0
        --port 99999    | flows: --port 99999: must be a port number 0-65535
        """)
    void badFlagsExitWith2AndOneLine(String args, String expected) {
        int code = run(("top --server 127.0.0.1:1 --once " + args).split(" "));

        assertEquals(2, code, err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains(expected), err.toString());
    }
}
