package dev.flows.collector;

import dev.flows.collector.api.ObserverService;
import dev.flows.collector.api.PeerService;
import dev.flows.collector.api.ServerIdentity;
import dev.flows.collector.bpf.BootClock;
import dev.flows.collector.bpf.BpfConfig;
import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.EventSource;
import dev.flows.collector.bpf.ServiceOptionCounters;
import dev.flows.collector.buffer.FlowBuffer;
import dev.flows.observer.net.Ipv4Prefix;
import dev.flows.cluster.ClusterSource;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.Node;
import dev.flows.collector.config.CollectorConfig;
import dev.flows.collector.datapath.ConntrackSweeper;
import dev.flows.collector.datapath.DesiredServices;
import dev.flows.collector.datapath.LbMaps;
import dev.flows.collector.datapath.ServiceProgrammer;
import dev.flows.collector.decode.DecodeErrors;
import dev.flows.collector.decode.Decoder;
import dev.flows.collector.decode.RawEventQueue;
import dev.flows.collector.enrich.Enricher;
import dev.flows.collector.enrich.PolicyNames;
import dev.flows.collector.enrich.ServiceNames;
import dev.flows.collector.metrics.CollectorMetrics;
import dev.flows.collector.pipeline.FlowProcessor;
import dev.flows.collector.pipeline.LossCounters;
import dev.flows.collector.policy.PolicyMaps;
import dev.flows.collector.policy.PolicyProgrammer;
import dev.flows.observer.wire.GetFlowsStreams;
import dev.flows.observer.wire.ObserverServer;
import dev.flows.observer.tls.TlsReloader;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The collector's whole pipeline, wired in one place:
 *
 * <pre>
 * kernel ring ──(reader thread: drain, never blocks)──► RawEventQueue (bounded; full = counted drop)
 *   ──(processing thread)──► Decoder → Enricher → FlowBuffer (bounded ring; slow readers told their loss)
 *   ──► ObserverServer (GetFlows, ServerStatus, GetNodes, Peer, health)
 * every stage's counters and fill ──► CollectorMetrics (/metrics on --metrics-listen, read when scraped)
 *
 * cluster state ──► ServiceProgrammer ──► service maps (datapath mode; names the events' frontend ids for the Enricher)
 *               ├─► PolicyProgrammer ──► ipcache, policy and endpoint maps (datapath mode; names policies for the Enricher)
 *               └─► Enricher
 * Upkeep's timers ──► interface attach/detach, ConntrackSweeper (expired entries out of the pinned maps),
 *                   agg_flush (every quarter interval: counters aggregation still holds become flush traces)
 * ClusterSource (API server informers, or --cluster-state files) ──(its thread)──► updateCluster
 * </pre>
 *
 * Losses are counted where they happen (kernel ring, raw queue, decode errors, reader overrun)
 * and reach clients in-band as lost_events.
 *
 * <p>{@link #start} wires the real parts from the configuration. The package-private constructor
 * takes the {@link Seams} instead (the kernel side, the clocks, the server builder), so that a test
 * runs this wiring, and the same two loop steps the threads run ({@link #readOnce},
 * {@link #processOnce}), on a fake event source.
 */
public final class Collector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Collector.class.getName());
    static final String VERSION = "flows-collector 0.1.0";
    /**
     * The ring reader's first wait on an empty ring. Below the wakeup watermark the kernel submits
     * without waking us, so this bounds how long a flow on a quiet node waits to be read.
     */
    private static final long IDLE_WAIT_MS = 10;
    /**
     * The longest wait, reached by doubling while the ring stays empty: an idle node wakes ten times
     * a second instead of a hundred (issue 17), and the first wait after data is back to
     * {@link #IDLE_WAIT_MS}, so a busy node reads as before.
     */
    private static final long MAX_IDLE_WAIT_MS = 100;
    private static final long LOSS_REPORT_NS = 100_000_000L;

    /**
     * What a collector runs on. {@code datapath} may be null only in observe mode: then nothing is
     * attached, programmed or swept, and events come from {@code events} alone.
     *
     * @param wallNanos wall clock in ns (flow times, responses)
     * @param bootNanos the clock the BPF programs stamp events with (CLOCK_BOOTTIME)
     * @param monoNanos monotonic clock in ns (uptime, how often losses are reported)
     * @param server where the Observer API is served
     */
    record Seams(Datapath datapath, EventSource events, LongSupplier wallNanos, LongSupplier bootNanos,
            LongSupplier monoNanos, ServerBuilder<?> server) {}

    private final CollectorConfig config;
    private final Datapath datapath; // null: no kernel side (tests)
    private final EventSource ring;
    private final RawEventQueue queue;
    private final FlowProcessor processor;
    private final ObserverServer server;
    private final CollectorMetrics.Sources metricSources;
    private final LossCounters losses;
    private final DecodeErrors errors;
    private final AtomicLong eventsRead = new AtomicLong();
    private CollectorMetrics metrics;
    private Upkeep upkeep; // null until run(): a collector without a datapath has none
    private final Enricher enricher;
    private final ServiceProgrammer services; // null in observe mode
    private final PolicyProgrammer policies; // null in observe mode
    private final ConntrackSweeper sweeper;
    private final int nodeIp;
    private final LongSupplier monoNanos;
    private ClusterSource source = ClusterSource.fixed(ClusterState.EMPTY);
    private volatile ClusterState cluster;
    private long lastLossReport = Long.MIN_VALUE;
    private volatile boolean running = true;
    private TlsReloader tls; // null: the seams' server is the test's
    private Thread reader;
    private Thread processing;

    Collector(CollectorConfig config, ClusterState cluster, Seams seams) {
        if (seams.datapath() == null && config.datapathMode()) {
            throw new IllegalArgumentException("datapath mode needs a datapath to program");
        }
        this.config = config;
        this.cluster = cluster;
        this.nodeIp = network(config, cluster).nodeIp();
        this.datapath = seams.datapath();
        this.monoNanos = seams.monoNanos();
        LongSupplier wallNanos = seams.wallNanos();
        if (config.datapathMode()) {
            // Programmed before any interface is attached: the first packets already find their services.
            this.services = ServiceProgrammer.adopt(new LbMaps(datapath), config.maglev());
            ServiceProgrammer.Changes c = services.apply(DesiredServices.of(cluster, nodeIp, LOG::info));
            LOG.info(() -> "services programmed: " + c);
            this.policies = PolicyProgrammer.adopt(new PolicyMaps(datapath), cluster, config.nodeName(), config.policyAuditMode());
            LOG.info(() -> "network policies programmed: " + cluster.policies().size() + " policies");
        } else {
            this.services = null;
            this.policies = null;
        }
        this.sweeper = datapath == null ? null
                : new ConntrackSweeper(datapath, seams.bootNanos(), services != null ? services::ids : Set::of);
        this.ring = seams.events();
        this.queue = new RawEventQueue(config.queueCapacity(), RawEventQueue.DEFAULT_SLOT_SIZE);
        FlowBuffer buffer = new FlowBuffer(config.bufferCapacity());
        this.errors = new DecodeErrors();
        long wallMinusBoot = wallNanos.getAsLong() - seams.bootNanos().getAsLong();
        Decoder decoder = new Decoder(config.nodeName(), () -> wallMinusBoot);
        this.enricher = new Enricher(cluster, config.nodeName(), services != null ? services : ServiceNames.NONE,
                policies != null ? policies : PolicyNames.NONE);
        this.processor = new FlowProcessor(decoder, enricher, buffer, errors, ring::kernelLost, queue::dropped, wallNanos);
        Supplier<ServiceOptionCounters> serviceOptions = config.datapathMode() ? datapath::serviceOptionCounters : null;
        this.losses = new LossCounters(ring::kernelLost, queue::dropped, errors::total,
                serviceOptions != null ? () -> serviceOptions.get().unnamed() : null);
        String address = config.listen().getHostString() + ":" + config.listen().getPort();
        ObserverService observer = new ObserverService(buffer, losses,
                new ServerIdentity(config.nodeName(), address, VERSION),
                GetFlowsStreams.executor(64), wallNanos, monoNanos);
        this.server = new ObserverServer(seams.server(), observer, observer.batches(),
                new PeerService(() -> this.cluster, config.listen().getPort()));
        this.metricSources = new CollectorMetrics.Sources(eventsRead::get, losses, errors, ring::pendingBytes, config.ringSize(),
                queue::size, queue.capacity(), buffer::size, buffer.capacity(), serviceOptions);
    }

    /** Loads the datapath, starts the pipeline threads and the gRPC server, with a cluster state that does not change. */
    public static Collector start(CollectorConfig config, ClusterState cluster) throws IOException {
        return start(config, ClusterSource.fixed(cluster));
    }

    /**
     * Loads the datapath with the source's current state (which must be complete: the node's own
     * addresses are set at load time), starts the pipeline threads and the gRPC server, and
     * applies each later state of the source. The source stays the caller's to close.
     */
    public static Collector start(CollectorConfig config, ClusterSource source) throws IOException {
        ClusterState cluster = source.current();
        BpfConfig bpf = BpfConfig.DEFAULTS
                .withAggregationIntervalNs(config.aggregationInterval().toNanos())
                .withAggregationLevel(config.aggregateConnections() ? BpfConfig.AGG_CONNECTION : BpfConfig.AGG_NONE)
                .withMode(config.datapathMode() ? BpfConfig.MODE_DATAPATH : BpfConfig.MODE_OBSERVE)
                .withNetwork(network(config, cluster));
        TlsReloader tls = new TlsReloader(config.tls().reloadInterval());
        Datapath datapath;
        try {
            datapath = Datapath.open(config.pinDir(), (int) config.ringSize(), bpf);
        } catch (RuntimeException e) {
            tls.close();
            throw e;
        }
        Collector c;
        try {
            // Handlers never block (GetFlows hands its stream to its own thread; the rest answer
            // from memory), so they run on the transport thread: no thread hop per call.
            c = new Collector(config, cluster, new Seams(datapath, datapath.openReader(), Collector::wallNanos,
                    BootClock::nanos, System::nanoTime, NettyServerBuilder.forAddress(config.listen(), config.tls().credentials(tls)).directExecutor()));
        } catch (RuntimeException e) {
            tls.close();
            datapath.close();
            throw e;
        }
        c.source = source;
        c.tls = tls;
        try {
            c.run();
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void run() throws IOException {
        upkeep = Upkeep.start(datapath, sweeper, config);
        reader = daemon(this::readLoop, "flows-ring-reader");
        processing = daemon(this::processLoop, "flows-processing");
        reader.start();
        processing.start();
        source.listen(this::updateCluster);
        serve();
        if (config.metricsListen() != null) {
            metrics = CollectorMetrics.serve(config.metricsListen(), config.nodeName(), metricSources, source::stats);
        }
        LOG.info(() -> "collector " + config.nodeName() + " serving on " + config.listen() + ", observing "
                + datapath.attachedInterfaces());
        if (config.tls().plaintext()) {
            LOG.warning(() -> "collector " + config.nodeName() + " serves the Observer API in PLAINTEXT on " + config.listen()
                    + " (--disable-server-tls): anyone who reaches the port reads every flow");
        }
    }

    /** Every stage's loss counters (kernel ring, raw queue, decode errors), as ServerStatus reports them. */
    LossCounters losses() {
        return losses;
    }

    /** Decode errors by reason, as /metrics reports them. */
    DecodeErrors decodeErrors() {
        return errors;
    }

    /** Starts the Observer API (and Peer, health). */
    void serve() throws IOException {
        server.start();
    }

    /** One step of the reader thread: kernel ring → raw queue. Never blocks: a full queue drops and counts. */
    int readOnce() {
        int n = ring.drain(queue::offer);
        eventsRead.lazySet(eventsRead.get() + n); // one writer: the reader thread
        return n;
    }

    /** One step of the processing thread: raw queue → decode → enrich → buffer, and the loss notices when due. */
    int processOnce() {
        int n = queue.drain(processor, 4096);
        long now = monoNanos.getAsLong();
        if (lastLossReport == Long.MIN_VALUE || now - lastLossReport >= LOSS_REPORT_NS) {
            processor.reportLosses();
            lastLossReport = now;
        }
        return n;
    }

    private void readLoop() {
        long wait = IDLE_WAIT_MS;
        while (running) {
            try {
                if (readOnce() == 0) {
                    ring.awaitData(wait);
                    wait = Math.min(2 * wait, MAX_IDLE_WAIT_MS);
                } else {
                    wait = IDLE_WAIT_MS;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "ring reader: " + e.getMessage(), e);
            }
        }
    }

    private void processLoop() {
        while (running) {
            try {
                if (processOnce() == 0) {
                    // the reader unparks us for records: only the next loss report needs a timer
                    long untilReport = lastLossReport + LOSS_REPORT_NS - monoNanos.getAsLong();
                    queue.await(Math.max(untilReport, 1), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "processing: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A new cluster state: the enricher's tables, and in datapath mode the service and policy maps
     * (only the services, and the policy entries of the pods, namespaces and policies, that changed
     * are rewritten).
     */
    public synchronized void updateCluster(ClusterState cluster) {
        this.cluster = cluster;
        enricher.update(cluster);
        if (services != null) {
            ServiceProgrammer.Changes c = services.apply(DesiredServices.of(cluster, nodeIp, LOG::info));
            LOG.fine(() -> "services reprogrammed: " + c);
        }
        if (policies != null) {
            int n = policies.apply(cluster);
            LOG.fine(() -> "policy map entries rewritten: " + n);
        }
    }

    /** This node's addresses from the cluster state; without its Node, no NodePort and no SNAT. */
    static BpfConfig.Network network(CollectorConfig config, ClusterState cluster) {
        Node self = cluster.nodes().stream().filter(n -> n.name().equals(config.nodeName())).findFirst().orElse(null);
        if (self == null || self.internalIP().isEmpty()) {
            LOG.info(() -> "node " + config.nodeName() + " is not in the cluster state: no NodePort, no masquerading");
            return new BpfConfig.Network(0, BpfConfig.NO_PREFIX, config.clusterCidr(), BpfConfig.NO_PREFIX);
        }
        int ip = Ipv4Prefix.address(self.internalIP());
        Ipv4Prefix pods = self.podCIDR().isEmpty() ? BpfConfig.NO_PREFIX : Ipv4Prefix.parse(self.podCIDR());
        Ipv4Prefix nodes = config.nodeNetwork() != null ? config.nodeNetwork() : new Ipv4Prefix(ip, 24);
        return new BpfConfig.Network(ip, pods, config.clusterCidr(), nodes);
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** A daemon thread: none of the collector's own threads may keep the JVM alive after close. */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops serving and detaches our filters; pinned maps stay for the next collector. */
    @Override
    public void close() {
        running = false;
        if (upkeep != null) {
            upkeep.close();
        }
        if (tls != null) {
            tls.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        try {
            server.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Thread t : new Thread[] {reader, processing}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        ring.close();
        if (datapath != null) {
            datapath.close();
        }
    }
}
