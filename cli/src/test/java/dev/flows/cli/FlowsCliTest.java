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
        --port 99999     | invalid value '99999' for --port
        --protocol foo   | invalid value 'foo' for --protocol
        --since nonsense | invalid value 'nonsense' for --since
        --type bogus     | invalid value 'bogus' for --type
        -o yaml          | invalid value 'yaml' for --output
        --last abc       | '--last': 'abc'
        --bogus-flag     | --bogus-flag
        --color sometimes | invalid value 'sometimes' for --color: expected one of auto, always, never
        --tcp-flags XMAS | invalid value 'XMAS' for --tcp-flags
        --input-file /nonexistent/flows.json | invalid value '/nonexistent/flows.json' for --input-file
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
        observe --server tls://relay      | invalid value 'tls://relay' for --server: expected HOST:PORT or tls://HOST:PORT
        status --server tls://relay:1 --tls-client-cert-file /nonexistent/c.pem --tls-client-key-file /nonexistent/k.pem | invalid value '/nonexistent/c.pem' for --tls-client-cert-file: expected a readable PEM file
        nodes --server localhost          | invalid value 'localhost' for --server: expected HOST:PORT
        nodes -o yaml                     | invalid value 'yaml' for --output: expected one of table, wide, json
        completion fish                   | invalid value 'fish' for SHELL: expected one of bash, zsh
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
