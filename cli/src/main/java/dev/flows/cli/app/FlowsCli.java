package dev.flows.cli.app;

import dev.flows.cli.CliFailure;
import dev.flows.cli.CompletionCommand;
import dev.flows.cli.FlagException;
import dev.flows.cli.LabCommand;
import dev.flows.cli.NodesCommand;
import dev.flows.cli.ObserveCommand;
import dev.flows.cli.StatusCommand;
import dev.flows.cli.policy.PolicyCommand;
import dev.flows.cli.top.TopCommand;
import dev.flows.lab.LabException;
import dev.flows.observer.config.Options;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code flows} command: the one class that knows every subcommand, in a package of its own so
 * that the packages of the subcommands ({@code cli}, {@code cli.top}) depend on each other in one
 * direction only. Exit codes: 0 success, 1 the operation failed (server error, lab
 * error), 2 a flag has a bad value. Errors are one line on stderr, never a stack trace.
 */
@Command(name = "flows", mixinStandardHelpOptions = true, version = "flows 0.1.0",
        description = "eBPF flow observability for Kubernetes.",
        subcommands = {ObserveCommand.class, StatusCommand.class, NodesCommand.class, LabCommand.class,
            CompletionCommand.class, TopCommand.class, PolicyCommand.class})
public final class FlowsCli implements Runnable {
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: picocli with one-line error handling (public for subcommand packages' tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FlowsCli());
        cl.setParameterExceptionHandler((ex, args) -> {
            // A bad value is one line, as a FlagException is; other parse errors (unknown flag, missing value) point at --help.
            String line = Options.oneLine(ex);
            fail(ex.getCommandLine().getErr(), line.equals(ex.getMessage()) ? line.strip() + " (see --help)" : line);
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean usage = ex instanceof FlagException;
            fail(commandLine.getErr(), usage || ex instanceof LabException || ex instanceof CliFailure ? ex.getMessage() : ex.toString());
            return usage ? EXIT_USAGE : EXIT_FAILED;
        });
        return cl;
    }

    /** Every error the user sees: one line on stderr, after "flows: ". */
    private static void fail(PrintWriter err, String message) {
        err.println("flows: " + message.replace('\n', ' '));
        err.flush();
    }
}
