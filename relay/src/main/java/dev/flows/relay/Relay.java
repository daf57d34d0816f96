package dev.flows.relay;

import dev.flows.observer.wire.GetFlowsStreams;
import dev.flows.observer.wire.ObserverServer;
import dev.flows.relay.api.RelayClock;
import dev.flows.relay.api.RelayLosses;
import dev.flows.relay.api.RelayObserverService;
import dev.flows.relay.export.ExportHub;
import dev.flows.relay.export.ExportQueue;
import dev.flows.relay.export.FlowExporter;
import dev.flows.relay.peers.Backoff;
import dev.flows.relay.peers.DnsPeers;
import dev.flows.relay.peers.NotifyPeers;
import dev.flows.relay.peers.PeerPool;
import dev.flows.observer.tls.ServerNames;
import dev.flows.observer.tls.TlsReloader;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/**
 * The relay, wired in one place:
 *
 * <pre>
 * discovery (static list | DNS, re-resolved | Peer.Notify) ──► PeerPool (one channel per collector,
 *   health-checked, reconnect with backoff) ──► RelayObserverService (GetFlows merged by time within
 *   the sort window; ServerStatus, GetNodes summed) ──► ObserverServer (+ health) on --listen
 *                                                  └──► ExportHub: one in-process follow of the same
 *                                                       merged stream, one bounded queue per exporter
 * </pre>
 *
 * <p>{@link #start} wires the real parts from the configuration; the package-private constructor
 * takes the {@link Seams} (how collectors are reached, the clock, the server builder) for tests.
 */
public final class Relay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Relay.class.getName());
    static final String VERSION = "flows-relay 0.1.0";

    private final PeerPool pool;
    private final RelayObserverService observer;
    private final ObserverServer server;
    private final List<AutoCloseable> discovery = new ArrayList<>();
    private final List<FlowExporter> exporters;
    private volatile ExportHub exports;
    private Server exportSource;
    private TlsReloader tls; // null: the seams are the test's

    /**
     * What a relay runs on.
     *
     * @param channels a channel to a collector's "host:port" (its Observer and Peer services) and node name
     * @param clock wall and monotonic time (merge windows, response times)
     * @param server where the relay's Observer API is served
     */
    record Seams(BiFunction<String, String, ManagedChannel> channels, RelayClock clock, ServerBuilder<?> server) {}

    Relay(RelayConfig config, List<FlowExporter> exporters, Seams seams) {
        this.pool = new PeerPool(seams.channels(), config.healthInterval(), config.retryInitial(), config.retryMax());
        RelayObserverService observer = new RelayObserverService(pool, GetFlowsStreams.executor(config.maxStreams()),
                seams.clock(), config.sortWindow(), config.quietGrace(), config.clientQueue(),
                new RelayLosses(exporters.isEmpty() ? null : () -> exportStats().stream().mapToLong(ExportQueue.Stats::lost).sum()), VERSION);
        this.server = new ObserverServer(seams.server(), observer, observer.batches());
        this.exporters = exporters;
        this.observer = observer;
    }

    /**
     * Exporters follow the relay's own merged stream in-process: what clients see, without a socket.
     * The relay passes collectors' responses on as bytes; the hub's stub parses them, so exporters
     * get GetFlowsResponse objects and the parsing is paid only when there are exporters.
     */
    private void startExports(int queueCapacity) throws IOException {
        if (exporters.isEmpty()) {
            return;
        }
        String name = "flows-relay-exports-" + System.identityHashCode(this);
        exportSource = InProcessServerBuilder.forName(name).addService(observer).build().start();
        exports = new ExportHub(InProcessChannelBuilder.forName(name).build());
        exporters.forEach(e -> exports.add(e, queueCapacity));
        exports.start();
    }

    /** Starts discovery and serving. */
    public static Relay start(RelayConfig config, List<FlowExporter> exporters) throws IOException {
        TlsReloader tls = new TlsReloader(config.tls().reloadInterval());
        try {
            ChannelCredentials toCollectors = config.tls().client(tls);
            boolean verifyNames = config.tls().clientTls();
            // handlers may block (ServerStatus and GetNodes wait for every collector): gRPC's default executor
            Relay r = start(config, exporters, new Seams((address, node) -> channel(address, toCollectors, verifyNames ? node : null),
                    RelayClock.system(), NettyServerBuilder.forAddress(config.listen(), config.tls().server(tls))));
            r.tls = tls;
            if (!config.tls().serverTls()) {
                LOG.warning(() -> "relay serves its clients in PLAINTEXT on " + config.listen()
                        + " (--disable-server-tls): anyone who reaches the port reads every flow of the cluster");
            }
            return r;
        } catch (IOException | RuntimeException e) {
            tls.close();
            throw e;
        }
    }

    /** Starts discovery and serving on the given seams. */
    static Relay start(RelayConfig config, List<FlowExporter> exporters, Seams seams) throws IOException {
        Relay r = new Relay(config, exporters, seams);
        try {
            r.server.start();
            r.startExports(config.exportQueue());
            if (!config.collectors().isEmpty()) {
                r.pool.setTargets("static", config.collectors());
            }
            if (config.collectorsDns() != null) {
                r.discovery.add(new DnsPeers(config.collectorsDns().getHostString(), config.collectorsDns().getPort(),
                        InetAddress::getAllByName, r.pool).start(config.dnsRefresh()));
            }
            if (config.peerService() != null) {
                r.discovery.add(new NotifyPeers(config.peerService(), seams.channels().apply(config.peerService(), ""), r.pool,
                        new Backoff(config.retryInitial(), config.retryMax())).start());
            }
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        LOG.info(() -> "relay serving on " + config.listen() + " for " + r.pool.peers());
        return r;
    }

    /** Per exporter: queued, exported, dropped (empty when there are no exporters). */
    public List<ExportQueue.Stats> exportStats() {
        ExportHub hub = exports;
        return hub == null ? List.of() : hub.stats();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.port();
    }

    /**
     * A channel to a collector (or its Peer service). Responses are handed over on the transport
     * thread ({@code directExecutor}): the default executor cost a thread hop per flow. Every
     * callback on these channels must therefore return at once: the GetFlows observers only lock
     * the merge briefly and offer to a queue that is bounded (live) or held back by credit
     * (history); Peer.Notify only updates the pool; health and GetNodes are blocking stubs, which
     * run on the caller's thread anyway.
     */
    static ManagedChannel channel(String target) {
        return NettyChannelBuilder.forTarget(target).usePlaintext().directExecutor().build();
    }

    /**
     * The same with {@code credentials}; with a node name, the collector's certificate must carry
     * {@link ServerNames#collector} of it, whatever address is dialled (as hubble-relay checks agents).
     */
    static ManagedChannel channel(String target, ChannelCredentials credentials, String node) {
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(target, credentials).directExecutor();
        if (node != null && !node.isBlank()) {
            b.overrideAuthority(ServerNames.collector(node));
        }
        return b.build();
    }

    @Override
    public void close() {
        if (exports != null) {
            exports.close();
            exportSource.shutdownNow();
        }
        for (AutoCloseable d : discovery) {
            try {
                d.close();
            } catch (Exception e) {
                LOG.warning("closing discovery: " + e.getMessage());
            }
        }
        try {
            server.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
        if (tls != null) {
            tls.close();
        }
    }
}
