package dev.flows.relay;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.util.Timestamps;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.relay.api.RelayClock;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The real {@link Relay} wiring (pool, discovery from --collectors, Observer service, server), as
 * {@link Relay#start} builds it, served in-process: a client sees the history of two collectors
 * merged by time and trimmed to number across both.
 */
class RelayWiringTest {
    @Test
    void mergesTheHistoryOfEveryCollectorByTime() throws Exception {
        try (FakeCollector a = new FakeCollector("node-a", 0, 1023); FakeCollector b = new FakeCollector("node-b", 0, 1023)) {
            long t = RelayTestClock.wallNanos() - 60_000_000_000L;
            a.add(t + 1);
            b.add(t + 2);
            a.add(t + 3);
            b.add(t + 4);
            RelayConfig config = new RelayConfig();
            new CommandLine(config).parseArgs("--listen", "127.0.0.1:0",
                    "--collectors", "node-a=" + a.address() + ",node-b=" + b.address(), "--health-interval", "100ms");
            config.validate();
            String name = InProcessServerBuilder.generateName();
            try (Relay relay = Relay.start(config, List.of(), new Relay.Seams((address, node) -> Relay.channel(address), RelayClock.system(),
                    InProcessServerBuilder.forName(name)))) {
                ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
                try {
                    var observer = ObserverGrpc.newBlockingStub(ch);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (observer.serverStatus(ServerStatusRequest.getDefaultInstance()).getNumConnectedNodes().getValue() < 2) {
                        assertTrue(System.nanoTime() < deadline, "both collectors connected within 10 s");
                        Thread.sleep(20);
                    }
                    List<String> got = new ArrayList<>();
                    observer.withDeadlineAfter(10, TimeUnit.SECONDS).getFlows(GetFlowsRequest.newBuilder().setNumber(3).build())
                            .forEachRemaining((GetFlowsResponse r) -> {
                                if (r.hasFlow()) {
                                    got.add(r.getFlow().getNodeName() + " t+" + (Timestamps.toNanos(r.getFlow().getTime()) - t));
                                }
                            });
                    assertEquals(List.of("node-b t+2", "node-a t+3", "node-b t+4"), got,
                            "the newest 3 of the whole cluster, oldest first");
                } finally {
                    ch.shutdownNow();
                }
            }
        }
    }
}
