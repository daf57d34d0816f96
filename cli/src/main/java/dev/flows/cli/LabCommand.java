package dev.flows.cli;

import dev.flows.lab.FlowsHome;
import dev.flows.lab.LabDown;
import dev.flows.lab.LabState;
import dev.flows.lab.LabStatus;
import dev.flows.lab.LabUp;
import dev.flows.observer.config.LowerCaseEnum;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flows lab up|down|status}: the emulated cluster (needs root). */
@Command(name = "lab", description = "An emulated cluster in network namespaces (needs root).",
        mixinStandardHelpOptions = true, subcommands = {LabCommand.Up.class, LabCommand.Down.class, LabCommand.Status.class})
public final class LabCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code flows lab up}. */
    @Command(name = "up", description = "Build the lab, start collectors and workloads.", mixinStandardHelpOptions = true)
    static final class Up implements Runnable {
        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Cluster YAML (file or folder). Default: deploy/lab/cluster.yaml in FLOWS_HOME.")
        Path file;

        @Option(names = "--no-collectors", description = "Build the network and workloads only.")
        boolean noCollectors;

        @Option(names = "--collector-timeout", converter = CliConverters.Seconds.class, paramLabel = "DURATION", defaultValue = "60",
                description = "How long to wait for each collector's port: a duration (90s, 2m) or a number of seconds (default 60).")
        Duration timeout;

        @Option(names = "--relay-arg", paramLabel = "ARG", description = "Pass ARG to the relay, e.g. an exporter setting (repeatable).")
        List<String> relayArgs = new ArrayList<>();

        @Spec CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            Path home = FlowsHome.locate();
            Path cluster = file != null ? file : home.resolve("deploy/lab/cluster.yaml");
            LabState state = LabState.fromEnvironment();
            new LabUp(state, line -> {
                out.println(line);
                out.flush();
            }).up(new LabUp.Options(cluster, home, !noCollectors, timeout, relayArgs));
            out.println("lab is up; state in " + state.file() + (noCollectors ? "" : "; observe with: flows observe"));
        }
    }

    /** {@code flows lab down}. */
    @Command(name = "down", description = "Remove everything the lab created (also after a crash).", mixinStandardHelpOptions = true)
    static final class Down implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            int removed = new LabDown(LabState.fromEnvironment(), line -> {
                out.println(line);
                out.flush();
            }).down();
            out.println(removed == 0 ? "lab is down (nothing to remove)" : "lab is down");
        }
    }

    /** {@code flows lab status}. */
    @Command(name = "status", description = "Whether the lab is up, its nodes, collectors, pods and processes, and the certificates "
            + "a client connects with.", mixinStandardHelpOptions = true)
    static final class Status implements Runnable {
        /** -o values. */
        enum Format { TEXT, JSON }

        static final class FormatConverter extends LowerCaseEnum<Format> { FormatConverter() { super(Format.class); } }

        @Option(names = {"-o", "--output"}, converter = FormatConverter.class, paramLabel = "FORMAT", defaultValue = "text",
                description = "text, or json (tls.ca, tls.clientCert, tls.clientKey, tls.serverName for scripts).")
        Format output;

        @Spec CommandSpec spec;

        @Override
        public void run() {
            LabStatus status = new LabStatus(LabState.fromEnvironment());
            PrintWriter out = spec.commandLine().getOut();
            if (output == Format.JSON) {
                out.println(status.json());
            } else {
                status.report().forEach(out::println);
            }
            out.flush();
        }
    }
}
