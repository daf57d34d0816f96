package dev.flows.collector;

import dev.flows.cluster.ClusterSource;
import dev.flows.cluster.ClusterState;
import dev.flows.cluster.FileClusterSource;
import dev.flows.cluster.KubernetesClusterSource;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.collector.config.CollectorConfig;
import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Entry point of the per-node collector: parse settings once, start, run until signalled. */
@Command(name = "flows-collector", mixinStandardHelpOptions = true, version = Collector.VERSION,
        description = "Loads the flows datapath on this node and serves its flows (Observer API).")
public final class CollectorMain implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(CollectorMain.class.getName());

    @Mixin CollectorConfig config;

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        CommandLine cl = new CommandLine(new CollectorMain());
        cl.setParameterExceptionHandler((ex, a) -> {
            // A bad value is reported as validate() reports one; other parse errors point at --help.
            String line = Options.oneLine(ex);
            ex.getCommandLine().getErr().println("flows-collector: " + (line.equals(ex.getMessage()) ? line + " (see --help)" : line));
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            c.getErr().println("flows-collector: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()).replace('\n', ' '));
            return ex instanceof ConfigException || ex instanceof YamlClusterLoader.InvalidClusterException ? 2 : 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        config.validate();
        ClusterSource source = clusterSource(config);
        Collector collector;
        try {
            if (!source.awaitSynced(config.clusterSyncTimeout())) {
                throw new IllegalStateException("no complete cluster state from the API server in "
                        + config.clusterSyncTimeout().toSeconds() + "s (--cluster-sync-timeout); the log above says why");
            }
            collector = Collector.start(config, source);
        } catch (Exception e) {
            source.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            collector.close();
            source.close();
            stopped.countDown();
        }, "flows-shutdown"));
        stopped.await();
        return 0;
    }

    /** The source --cluster-source names. The API source is not ready, nor is this collector, until every kind is listed. */
    static ClusterSource clusterSource(CollectorConfig config) {
        if (config.clusterFromApi()) {
            LOG.info("cluster state: listing Nodes, Namespaces, Pods, Services, EndpointSlices and NetworkPolicies from the API server; "
                    + "serving once every kind is listed");
            return KubernetesClusterSource.connect(config.kubeconfig(), LOG::info, LOG::warning);
        }
        if (config.clusterState() == null) {
            return ClusterSource.fixed(ClusterState.EMPTY);
        }
        return new FileClusterSource(config.clusterState(), config.clusterStatePoll(), LOG::info, LOG::warning);
    }
}
