package dev.flows.collector;

import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.NetInterfaces;
import dev.flows.collector.config.CollectorConfig;
import dev.flows.collector.datapath.ConntrackSweeper;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The datapath's timed upkeep: interfaces attached as pods come and go, expired conntrack and NAT
 * entries swept, and the aggregation map flushed every quarter interval. The flush has a thread of
 * its own, so a long sweep never holds a flush past its interval. A failed round is logged and the
 * next one runs as planned.
 */
final class Upkeep implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Upkeep.class.getName());

    private final Datapath datapath;
    private final ConntrackSweeper sweeper;
    private final String uplink;
    private final PathMatcher podInterfaces;
    private final ScheduledExecutorService interfaces = Executors.newSingleThreadScheduledExecutor(r -> Collector.daemon(r, "flows-interfaces"));
    private final ScheduledExecutorService aggFlush = Executors.newSingleThreadScheduledExecutor(r -> Collector.daemon(r, "flows-agg-flush"));

    private Upkeep(Datapath datapath, ConntrackSweeper sweeper, CollectorConfig config) {
        this.datapath = datapath;
        this.sweeper = sweeper;
        this.uplink = config.uplink();
        this.podInterfaces = FileSystems.getDefault().getPathMatcher("glob:" + config.podInterfaces());
    }

    /** Attaches to the interfaces present now, then keeps every task on its timer. */
    static Upkeep start(Datapath datapath, ConntrackSweeper sweeper, CollectorConfig config) {
        Upkeep u = new Upkeep(datapath, sweeper, config);
        u.rescanInterfaces();
        long every = config.interfaceRescan().toMillis();
        u.interfaces.scheduleWithFixedDelay(u::rescanInterfaces, every, every, TimeUnit.MILLISECONDS);
        long sweep = config.conntrackSweep().toMillis();
        u.interfaces.scheduleWithFixedDelay(u::sweepConntrack, sweep, sweep, TimeUnit.MILLISECONDS);
        if (config.aggregateConnections()) {
            // a quarter interval: no counted packet waits more than 1.25 intervals for its flow
            long quarter = Math.max(1, config.aggregationInterval().toNanos() / 4);
            u.aggFlush.scheduleAtFixedRate(u::flushAggregation, quarter, quarter, TimeUnit.NANOSECONDS);
        }
        return u;
    }

    /** Attaches to new pod veths (and the uplink), forgets the ones that are gone. */
    private void rescanInterfaces() {
        try {
            Map<String, Integer> present = NetInterfaces.list();
            Set<String> attached = new HashSet<>(datapath.attachedInterfaces());
            for (String name : present.keySet()) {
                if (attached.contains(name)) {
                    continue;
                }
                if (name.equals(uplink)) {
                    datapath.attachUplink(name);
                } else if (podInterfaces.matches(Path.of(name))) {
                    datapath.attachPod(name);
                }
            }
            for (String name : attached) {
                if (!present.containsKey(name)) {
                    datapath.detach(name);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "attaching to interfaces: " + e.getMessage(), e);
        }
    }

    private void flushAggregation() {
        try {
            int n = datapath.flushAggregation();
            LOG.finer(() -> "aggregation flush: " + n + " events");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "aggregation flush: " + e.getMessage(), e);
        }
    }

    private void sweepConntrack() {
        try {
            ConntrackSweeper.Sweep s = sweeper.sweep();
            LOG.fine(() -> "conntrack sweep: " + s);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "conntrack sweep: " + e.getMessage(), e);
        }
    }

    /** Stops every task; returns once a flush under way has ended (it must not run on a closed program). */
    @Override
    public void close() {
        interfaces.shutdownNow();
        aggFlush.shutdownNow();
        try {
            aggFlush.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
