package dev.flows.bench;

import dev.flows.collector.Collector;
import dev.flows.collector.bpf.Datapath;
import dev.flows.cluster.ClusterState;
import dev.flows.collector.config.CollectorConfig;
import dev.flows.lab.Netns;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine;

/**
 * The real collector of one bench node, in this process: started from a thread inside the node's
 * namespace, so every thread it makes (ring reader, pipeline, interface scans, gRPC) and every
 * interface it attaches to belongs to that node. Settings are the shipped defaults (datapath mode,
 * connection aggregation) but for the addresses.
 */
final class NodeCollector implements AutoCloseable {
    private final ExecutorService inNode;
    private final Collector collector;
    private final Path pinDir;

    private NodeCollector(ExecutorService inNode, Collector collector, Path pinDir) {
        this.inNode = inNode;
        this.collector = collector;
        this.pinDir = pinDir;
    }

    static NodeCollector start(Netns netns, String nodeNetns, Path pins, ClusterState cluster) {
        ExecutorService inNode = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                netns.enter(nodeNetns);
                r.run();
            }, "bench " + nodeNetns);
            t.setDaemon(true);
            return t;
        });
        String node = BenchNetwork.node(nodeNetns).name();
        Path pinDir = pins.resolve(node);
        CollectorConfig config = new CollectorConfig();
        // gRPC's shared event loop opens its sockets in the namespace it was first started in, so the
        // node's own address may not be there: loopback, a port per node, serves nobody but binds anywhere
        int port = nodeNetns.equals(BenchNetwork.NODE_A) ? 4244 : 4245;
        new CommandLine(config).parseArgs("--node-name", node, "--listen", "127.0.0.1:" + port,
                "--metrics-listen", "off", "--disable-server-tls", "--pin-dir", pinDir.toString(), "--cluster-cidr", "10.244.0.0/16");
        config.validate();
        try {
            return new NodeCollector(inNode, call(inNode, () -> Collector.start(config, cluster)), pinDir);
        } catch (RuntimeException e) {
            inNode.shutdownNow();
            Datapath.removePins(pinDir);
            throw e;
        }
    }

    /** Programs the services of a new cluster state, as the collector does on a change. */
    void update(ClusterState cluster) {
        collector.updateCluster(cluster);
    }

    @Override
    public void close() {
        try {
            call(inNode, () -> {
                collector.close(); // detaches from the node's interfaces: must run in its namespace
                return null;
            });
        } finally {
            inNode.shutdownNow();
            Datapath.removePins(pinDir);
        }
    }

    static <T> T call(ExecutorService thread, Callable<T> c) {
        try {
            return thread.submit(c).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
