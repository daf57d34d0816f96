package dev.flows.collector;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.collector.config.CollectorConfig;
import dev.flows.observer.config.ConfigException;
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
            ex.getCommandLine().getErr().println("flows-collector: " + ex.getMessage() + " (see --help)");
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
        ClusterState cluster = config.clusterState() == null
                ? ClusterState.EMPTY
                : new YamlClusterLoader(LOG::info).load(config.clusterState());
        Collector collector = Collector.start(config, cluster);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            collector.close();
            stopped.countDown();
        }, "flows-shutdown"));
        stopped.await();
        return 0;
    }
}
