package dev.flows.relay;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Options;
import dev.flows.relay.export.FlowExporter;
import dev.flows.relay.export.kafka.KafkaConfig;
import dev.flows.relay.export.kafka.KafkaExporter;
import dev.flows.relay.export.kafka.KafkaLogging;
import dev.flows.relay.export.metrics.MetricsConfig;
import dev.flows.relay.export.metrics.RelayMetrics;
import dev.flows.relay.export.otlp.TraceExporter;
import dev.flows.relay.export.otlp.TracesConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Entry point of the relay: parse settings once, start, run until signalled. */
@Command(name = "flows-relay", mixinStandardHelpOptions = true, version = Relay.VERSION,
        description = "Serves the Observer API for the whole cluster: the flows of every collector, merged by time.")
public final class RelayMain implements Callable<Integer> {
    @Mixin RelayConfig config;
    @Mixin MetricsConfig metricsConfig;
    @Mixin KafkaConfig kafkaConfig;
    @Mixin TracesConfig tracesConfig;

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        KafkaLogging.warningsOnly();
        CommandLine cl = new CommandLine(new RelayMain());
        cl.setParameterExceptionHandler((ex, a) -> {
            // A bad value is reported as validate() reports one; other parse errors point at --help.
            String line = Options.oneLine(ex);
            ex.getCommandLine().getErr().println("flows-relay: " + (line.equals(ex.getMessage()) ? line + " (see --help)" : line));
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            c.getErr().println("flows-relay: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()).replace('\n', ' '));
            return ex instanceof ConfigException ? 2 : 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        config.validate();
        metricsConfig.validate();
        kafkaConfig.validate();
        tracesConfig.validate();
        // Each exporter is independent: its own queue and thread in the relay's export hub.
        RelayMetrics metrics = RelayMetrics.start(metricsConfig);
        TraceExporter traces = TraceExporter.start(tracesConfig);
        List<FlowExporter> exporters = new ArrayList<>();
        if (metrics != null) {
            exporters.add(metrics.flows());
        }
        KafkaExporter kafka = KafkaExporter.start(kafkaConfig);
        if (kafka != null) {
            exporters.add(kafka);
        }
        if (traces != null) {
            exporters.add(traces);
        }
        Relay relay = Relay.start(config, exporters);
        if (metrics != null) {
            metrics.observeExports(relay::exportStats);
            if (traces != null) {
                metrics.observeTraces(traces::stats);
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close();
            if (metrics != null) {
                metrics.close();
            }
            stopped.countDown();
        }, "flows-shutdown"));
        stopped.await();
        return 0;
    }
}
