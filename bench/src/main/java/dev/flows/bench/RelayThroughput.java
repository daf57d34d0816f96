package dev.flows.bench;

import dev.flows.observer.wire.GetFlowsStreams;

import com.google.protobuf.Timestamp;
import dev.flows.observer.wire.ObserverServer;
import dev.flows.collector.api.ObserverService;
import dev.flows.collector.api.ServerIdentity;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.collector.pipeline.LossCounters;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.LostEventSource;
import dev.flows.proto.observer.GetFlowsRequest;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;

/**
 * Relay row a: flows/s from two collectors through the relay to one client. Each collector is the
 * real Observer endpoint (ObserverService + ObserverServer on loopback) over a FlowBuffer that a
 * writer thread fills, as the collector's processing thread would, with real decoded and enriched
 * flows (captured from the kernel and run through FlowProcessor once), stamped with the time of
 * the append. No kernel and no decoding on the way: the figure is the Observer API, the relay and
 * gRPC alone.
 */
final class RelayThroughput {
    private RelayThroughput() {}

    /** Per collector, the shipped default: history reads 2 x this many, as `observe --all` would. */
    static final int BUFFER_CAPACITY = FlowBuffer.DEFAULT_CAPACITY;

    /**
     * One row's figures.
     *
     * @param offered flows appended (live) or held (history) by the two collectors
     * @param received flows the client received in all
     * @param timed flows the client received during the timed {@code nanos}
     * @param lostRelay flows the stream said the relay dropped (lost_events OBSERVER_EVENTS_QUEUE)
     * @param lostCollectors flows the stream said a collector's buffer overran (HUBBLE_RING_BUFFER)
     * @param relayDrops the relay's own count of drops during the run (ServerStatus event_queue)
     * @param cpuNanos CPU time of this whole process (writers, collectors, relay, client) during {@code nanos}
     * @param nodesDown nodes the stream reported as unavailable or failed (their flows are missing)
     */
    record Result(long offered, long received, long timed, long nanos, long lostRelay, long lostCollectors,
            long relayDrops, long cpuNanos, Set<String> nodesDown) {
        double perSecond() {
            return timed * 1e9 / nanos;
        }

        /** CPU of every part together per flow received in the timed part, in µs: what 2 cores must afford 250 k/s of (8 µs). */
        double cpuMicrosPerFlow() {
            return timed == 0 ? Double.NaN : cpuNanos / 1e3 / timed;
        }

        /** Offered flows neither received nor reported lost when the run ended: still queued on the way. */
        long unaccounted() {
            return offered - received - lostRelay - lostCollectors;
        }
    }

    /** A collector without a kernel: the real Observer API over a buffer the bench fills. */
    static final class Endpoint implements AutoCloseable {
        final String node;
        final FlowBuffer buffer = new FlowBuffer(BUFFER_CAPACITY);
        private final ExecutorService streams = GetFlowsStreams.executor(8);
        private final ObserverServer server;

        Endpoint(String node) throws IOException {
            this(node, InsecureServerCredentials.create());
        }

        /** Served over {@code credentials} (a collector's mTLS, for the TLS row). */
        Endpoint(String node, ServerCredentials credentials) throws IOException {
            this.node = node;
            ObserverService svc = new ObserverService(buffer, LossCounters.none(),
                    new ServerIdentity(node, "127.0.0.1", "bench"), streams, FlowsClient::wallNanos, System::nanoTime);
            this.server = ObserverServer.createNonBlocking(new InetSocketAddress("127.0.0.1", 0), credentials, svc, svc.batches()).start();
        }

        String address() {
            return node + "=127.0.0.1:" + server.port();
        }

        @Override
        public void close() throws InterruptedException {
            server.close();
            streams.shutdownNow();
        }
    }

    /**
     * Follows the relay (GetFlows follow, new flows only) while both endpoints are filled at
     * {@code rate}/2 flows/s each for warm-up + {@code length}; the rate is what the client
     * received during {@code length}. Afterwards waits for the merge window to flush so that every
     * offered flow is either received or reported lost.
     */
    static Result live(List<Endpoint> endpoints, List<Flow> pool, int relayPort, int rate, Duration warmup,
            Duration length, boolean batches) throws InterruptedException {
        return live(endpoints, pool, new FlowsClient(relayPort), rate, warmup, length, batches);
    }

    /** The same through {@code client} (e.g. one speaking TLS to the relay); closes it. */
    static Result live(List<Endpoint> endpoints, List<Flow> pool, FlowsClient relayClient, int rate, Duration warmup,
            Duration length, boolean batches) throws InterruptedException {
        try (FlowsClient client = relayClient.start(GetFlowsRequest.newBuilder().setFollow(true).build(), batches)) {
            Thread.sleep(500); // the relay opens its streams to the collectors; flows before that are not followed
            long lostBefore = client.serverStatus().getFlowsLost().getEventQueue();
            long end = System.nanoTime() + warmup.toNanos() + length.toNanos();
            List<Writer> writers = endpoints.stream().map(e -> new Writer(e, pool, rate / endpoints.size(), end)).toList();
            writers.forEach(Thread::start);
            Thread.sleep(warmup.toMillis());
            long r0 = client.flows(), t0 = System.nanoTime(), c0 = processCpuNanos();
            for (Writer w : writers) {
                w.join();
            }
            long r1 = client.flows(), t1 = System.nanoTime(), c1 = processCpuNanos();
            long offered = writers.stream().mapToLong(w -> w.appended).sum();
            // the last flows wait at most the merge window (1 s) in the relay
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (client.flows() + client.lostTotal() < offered && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long relayDrops = client.serverStatus().getFlowsLost().getEventQueue() - lostBefore;
            return new Result(offered, client.flows(), r1 - r0, t1 - t0, client.lost(LostEventSource.OBSERVER_EVENTS_QUEUE),
                    client.lost(LostEventSource.HUBBLE_RING_BUFFER), relayDrops, c1 - c0, client.nodesDown());
        }
    }

    /**
     * Reads everything the endpoints hold (GetFlows without follow or number: the whole history)
     * through the relay; lossless by construction (the relay gives each collector stream flow
     * control credit), so this is the ceiling of the path.
     */
    static Result history(List<Endpoint> endpoints, int relayPort, boolean batches) throws InterruptedException {
        return history(endpoints.stream().mapToLong(e -> e.buffer.size()).sum(), relayPort, batches);
    }

    /** The same read from one endpoint directly, without the relay, as flows observe reads it. */
    static Result direct(Endpoint endpoint) throws InterruptedException {
        return history(endpoint.buffer.size(), endpoint.server.port(), true);
    }

    private static Result history(long held, int port, boolean batches) throws InterruptedException {
        try (FlowsClient client = new FlowsClient(port)) {
            long t0 = System.nanoTime(), c0 = processCpuNanos();
            client.start(GetFlowsRequest.getDefaultInstance(), batches);
            if (!client.awaitEnd(60_000)) {
                throw new IllegalStateException("history through the relay did not end within 60 s");
            }
            long nanos = System.nanoTime() - t0, cpu = processCpuNanos() - c0;
            return new Result(held, client.flows(), client.flows(), nanos, client.lost(LostEventSource.OBSERVER_EVENTS_QUEUE),
                    client.lost(LostEventSource.HUBBLE_RING_BUFFER), 0, cpu, client.nodesDown());
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Appends pool flows, restamped with the wall time, at a steady rate until {@code endNanos}. On
     * a cluster the flows are built by each node's own decoder; here the writers share the two
     * cores with the path measured, so a restamp costs a builder's build and one Timestamp, not a
     * copy of the whole flow into a new builder.
     */
    private static final class Writer extends Thread {
        private final FlowBuffer buffer;
        private final Flow.Builder[] pool;
        private final int rate;
        private final long endNanos;
        volatile long appended;

        Writer(Endpoint e, List<Flow> pool, int rate, long endNanos) {
            super("bench-writer-" + e.node);
            this.buffer = e.buffer;
            this.pool = pool.stream().map(Flow::toBuilder).toArray(Flow.Builder[]::new);
            this.rate = rate;
            this.endNanos = endNanos;
        }

        @Override
        public void run() {
            long start = System.nanoTime(), n = 0, last = 0;
            for (long now = start; now < endNanos; now = System.nanoTime()) {
                long due = (now - start) * rate / 1_000_000_000L;
                // one flow time per ns at most: a node's flows stay strictly in time order
                long t = Math.max(FlowsClient.wallNanos(), last + 1);
                for (; n < due; n++, t++) {
                    Timestamp time = Timestamp.newBuilder().setSeconds(t / 1_000_000_000L).setNanos((int) (t % 1_000_000_000L)).build();
                    buffer.append(pool[(int) (n % pool.length)].setTime(time).build());
                }
                last = t;
                appended = n;
                LockSupport.parkNanos(200_000); // batches of ~25 flows at 125 k/s, as a busy processing thread appends
            }
        }
    }
}
