package dev.flows.relay.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import dev.flows.proto.observer.ObserverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub against a streaming Observer: every exporter in order; a stuck one loses only its own, counted. */
class ExportHubTest {
    private static final int N = 500;
    private Server server;
    private ManagedChannel channel;
    private final CountDownLatch streamed = new CountDownLatch(1);
    private volatile GetFlowsRequest asked;

    /** Streams N flows on a follow request, then keeps the stream open like a relay does. */
    private final ObserverGrpc.ObserverImplBase relay = new ObserverGrpc.ObserverImplBase() {
        @Override
        public void getFlows(GetFlowsRequest req, StreamObserver<GetFlowsResponse> out) {
            asked = req;
            for (int i = 0; i < N; i++) {
                out.onNext(response(i));
            }
            streamed.countDown();
        }
    };

    private static GetFlowsResponse response(int i) {
        return GetFlowsResponse.newBuilder().setFlow(Flow.newBuilder().setNodeName("node-" + i)).build();
    }

    /** Records what it gets; fails loudly on a second close. */
    private static final class Capturing implements FlowExporter {
        final List<GetFlowsResponse> got = new CopyOnWriteArrayList<>();
        private boolean closed;

        @Override
        public String name() {
            return "capturing";
        }

        @Override
        public void export(GetFlowsResponse r) {
            got.add(r);
        }

        @Override
        public void close() {
            if (closed) {
                throw new AssertionError("closed twice");
            }
            closed = true;
        }
    }

    /** Blocks on its first response until released, as a sink whose broker is away. */
    private static final class Stuck implements FlowExporter {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final List<GetFlowsResponse> got = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "stuck";
        }

        @Override
        public void export(GetFlowsResponse r) throws InterruptedException {
            entered.countDown();
            release.await();
            got.add(r);
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    private ExportHub hub() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(relay).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        return new ExportHub(channel);
    }

    @Test
    void aStuckExporterLosesOnlyItsOwnResponsesAndCountsThemExactly() throws Exception {
        Capturing capturing = new Capturing();
        Stuck stuck = new Stuck();
        try (ExportHub hub = hub().add(capturing, 1000).add(stuck, 10).start()) {
            assertTrue(streamed.await(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (capturing.got.size() < N && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(asked.getFollow() && asked.getNumber() == 0 && asked.getWhitelistCount() == 0,
                    "exporters follow everything new: " + asked);
            assertEquals(N, capturing.got.size(), "the healthy exporter got every response");
            for (int i = 0; i < N; i++) {
                assertEquals(response(i), capturing.got.get(i), "in stream order");
            }
            assertTrue(stuck.entered.await(10, TimeUnit.SECONDS));
            ExportQueue.Stats s = hub.stats().get(1);
            assertEquals("stuck", s.exporter());
            assertTrue(s.dropped() > 0, "the stuck exporter's queue overflowed");
            // One response is inside export(), the rest queued or dropped: none unaccounted.
            assertEquals(N, 1 + s.queued() + s.dropped(), s.toString());
            stuck.release.countDown();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stuck.got.size() < 1 + s.queued() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(N - s.dropped(), stuck.got.size(), "what was queued is exported once released");
        }
    }
}
