package dev.flows.cli;

import dev.flows.cli.app.FlowsCli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command as a user runs it: exit codes, one-line errors, lines printed from a real gRPC server. */
class FlowsCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = FlowsCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        --port 99999     | --port 99999: must be a port number 0-65535
        --protocol foo   | --protocol foo: must be one of
        --since nonsense | flows: --since nonsense: must be an RFC 3339 time (2006-01-02T15:04:05Z) or a duration ago (30s, 5m, 1h30m, 2d)
        --type bogus     | --type bogus: must be TYPE[:SUBTYPE]
        -o yaml          | flows: --output yaml: must be compact, dict, table, json or jsonpb
        --last abc       | flows: --last abc: must be a number of flows >= 0
        --first -1       | flows: --first -1: must be a number of flows >= 0
        --bogus-flag     | --bogus-flag
        --color sometimes | flows: --color sometimes: must be auto, always or never
        --tcp-flags XMAS | --tcp-flags XMAS: must be comma-separated TCP flags
        --input-file /nonexistent/flows.json | --input-file /nonexistent/flows.json: must be a readable file
        --input-file /dev/null --follow | --follow cannot be used with --input-file
        """)
    void badFlagValuesExitWith2AndOneLine(String args, String expected) {
        int code = run(("observe --server 127.0.0.1:1 " + args).split(" "));

        assertEquals(2, code);
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("flows: "), err.toString());
        assertTrue(err.toString().contains(expected), err.toString());
        assertEquals("", out.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        observe --server tls://relay      | --server tls://relay: must be HOST:PORT or tls://HOST:PORT
        status --server tls://relay:1 --tls-client-cert-file /nonexistent/c.pem --tls-client-key-file /nonexistent/k.pem | --tls-client-cert-file /nonexistent/c.pem: must be a readable PEM file
        nodes --server localhost          | --server localhost: must be HOST:PORT
        nodes -o yaml                     | flows: --output yaml: must be table, wide or json
        completion fish                   | flows: SHELL fish: must be bash or zsh
        completion                        | Missing required parameter: 'SHELL'
        """)
    void badValuesOfOtherCommandsExitWith2AndOneLine(String args, String expected) {
        int code = run(args.split(" "));

        assertEquals(2, code);
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("flows: "), err.toString());
        assertTrue(err.toString().contains(expected), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void unreachableServerExitsWith1AndOneLine() {
        int code = run("observe", "--server", "127.0.0.1:1");

        assertEquals(1, code);
        assertTrue(err.toString().startsWith("flows: server 127.0.0.1:1: UNAVAILABLE"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void printsEachResponseFromTheServerAndSendsTheFilters() throws Exception {
        List<GetFlowsRequest> seen = new ArrayList<>();
        Server server = ServerBuilder.forPort(0).addService(new ObserverGrpc.ObserverImplBase() {
            @Override
            public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> responses) {
                seen.add(request);
                responses.onNext(GetFlowsResponse.newBuilder().setFlow(Flow.newBuilder().setVerdict(Verdict.FORWARDED).setSummary("UDP")).build());
                responses.onNext(GetFlowsResponse.newBuilder().setLostEvents(
                        LostEvent.newBuilder().setSource(LostEventSource.HUBBLE_RING_BUFFER).setNumEventsLost(12)).build());
                responses.onCompleted();
            }
        }).build().start();
        try {
            int code = run("observe", "--server", "localhost:" + server.getPort(), "--pod", "shop/cart", "--last", "2");

            assertEquals(0, code, err.toString());
            assertEquals(List.of("N/A: N/A (ID:0) <> N/A (ID:0) UNKNOWN FORWARDED (UDP)", "EVENTS LOST: HUBBLE_RING_BUFFER 12"), out.toString().lines().toList());
            assertEquals(2, seen.get(0).getNumber());
            assertEquals(2, seen.get(0).getWhitelistCount());
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void readsBatchesFromAServerThatServesThemInTheirOrder() throws Exception {
        List<GetFlowsRequest> batched = new ArrayList<>();
        List<GetFlowsRequest> single = new ArrayList<>();
        int messages = 3 * FlowStream.BATCH_WINDOW, perMessage = 100; // beyond one window of requests
        io.grpc.BindableService batches = () -> io.grpc.ServerServiceDefinition.builder(dev.flows.proto.relay.FlowBatchesGrpc.SERVICE_NAME)
                .addMethod(dev.flows.observer.wire.FlowBatchMethod.SERVER, io.grpc.stub.ServerCalls.asyncServerStreamingCall((req, out) -> {
                    batched.add(req);
                    dev.flows.observer.wire.BatchWriter batch = new dev.flows.observer.wire.BatchWriter(1024);
                    for (int m = 0, n = 0; m < messages; m++) {
                        for (int i = 0; i < perMessage; i++, n++) {
                            batch.add(GetFlowsResponse.newBuilder().setFlow(Flow.newBuilder().setVerdict(Verdict.FORWARDED).setSummary("UDP " + n)).build());
                        }
                        out.onNext(batch); // copied by gRPC before onNext returns
                        batch.clear();
                    }
                    out.onCompleted();
                }))
                .build();
        Server server = ServerBuilder.forPort(0).addService(new ObserverGrpc.ObserverImplBase() {
            @Override
            public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> responses) {
                single.add(request);
                responses.onCompleted();
            }
        }).addService(batches).build().start();
        try {
            int code = run("observe", "--server", "localhost:" + server.getPort(), "--pod", "shop/cart", "--all");

            assertEquals(0, code, err.toString());
            List<String> lines = out.toString().lines().toList();
            assertEquals(messages * perMessage, lines.size());
            for (int n = 0; n < lines.size(); n++) {
                assertTrue(lines.get(n).endsWith("FORWARDED (UDP " + n + ")"), lines.get(n));
            }
            assertEquals(1, batched.size(), "asked once, as batches");
            assertEquals(2, batched.get(0).getWhitelistCount(), "with the filters");
            assertEquals(List.of(), single, "GetFlows is not asked when batches are served");
        } finally {
            server.shutdownNow();
        }
    }
}
