package dev.flows.cli.top;

import dev.flows.cli.CliConverters;
import dev.flows.cli.FilterOptions;
import dev.flows.cli.RequestBuilder;
import dev.flows.cli.Selection;
import dev.flows.cli.ServerOptions;
import dev.flows.lab.LabState;
import dev.flows.proto.observer.GetFlowsRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flows top}: the busiest pod pairs and drops, live. Follows GetFlows (follow, number 0)
 * with observe's filter flags; full screen on a terminal, a table every interval otherwise.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = {"Live view of the busiest pod pairs and of drops.",
                "Keys: r sort by rate, t by total, n by name, d flows/drops, q quit."})
public final class TopCommand implements Callable<Integer> {
    private static final Duration MAX_DURATION = Duration.ofHours(1);

    /** --interval: 100ms to 1h. */
    static final class Interval extends CliConverters.SecondsBetween { Interval() { super(Duration.ofMillis(100), MAX_DURATION); } }

    /** --window: 1s to 1h. */
    static final class Window extends CliConverters.SecondsBetween { Window() { super(Duration.ofSeconds(1), MAX_DURATION); } }

    static final class Rows extends CliConverters.Count { Rows() { super("rows"); } }

    @Mixin FilterOptions filters;
    @Mixin ServerOptions server;
    @Spec CommandSpec spec;

    @Option(names = "--interval", converter = Interval.class, paramLabel = "DURATION", defaultValue = "1s",
            description = "Refresh every DURATION, 100ms to 1h; a bare number is seconds (default ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--window", converter = Window.class, paramLabel = "DURATION", defaultValue = "10s",
            description = "Rates are flows/s over the last DURATION, 1s to 1h; a bare number is seconds (default ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--sort", converter = Sort.Converter.class, paramLabel = "ORDER", defaultValue = "rate",
            description = "rate, total or name (default ${DEFAULT-VALUE}).")
    Sort sort;

    @Option(names = "--drops", description = "Start with the drops view.")
    boolean drops;

    @Option(names = "--plain", description = "Print a table every interval, even on a terminal.")
    boolean plain;

    @Option(names = "--once", description = "Count for one interval, print one table, exit (implies --plain).")
    boolean once;

    @Option(names = "--limit", converter = Rows.class, paramLabel = "N", defaultValue = "20",
            description = "Rows per table in plain output, 0 for all (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws IOException, InterruptedException {
        long intervalMillis = interval.toMillis();
        long windowMillis = window.toMillis();
        Controls controls = new Controls(sort, drops ? View.DROPS : View.FLOWS);
        GetFlowsRequest request = request(Clock.systemUTC());
        String target = server.target(LabState.fromEnvironment());
        LongSupplier clock = System::currentTimeMillis;
        TopTable table = new TopTable(windowMillis, clock.getAsLong());
        Frame frame = new Frame(table, target);
        try (Follower follower = new Follower(server.channel(target), target, e -> server.failure(target, e).getMessage(), request, table, clock)) {
            follower.start();
            // System.console() is null unless both stdin and stdout are a terminal: keys need the one, the screen the other.
            if (once || plain || System.console() == null) {
                return new PlainOutput(spec.commandLine().getOut(), spec.commandLine().getErr())
                        .run(frame, controls, follower, intervalMillis, once, limit == 0 ? Integer.MAX_VALUE : limit, clock);
            }
            TerminalScreen.open().run(frame, controls, follower, intervalMillis, clock);
            return 0;
        }
    }

    /** The request: observe's filters, follow, no history (number 0). */
    GetFlowsRequest request(Clock clock) {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        Selection follow = new Selection(null, null, false, true, null, null);
        return new RequestBuilder(clock).build(FilterOptions.inOrder(args), follow);
    }

    /** The periodic table for pipes and scripts: no escape codes. */
    static final class PlainOutput {
        private static final int WIDTH = 200;
        private final PrintWriter out;
        private final PrintWriter err;

        PlainOutput(PrintWriter out, PrintWriter err) {
            this.out = out;
            this.err = err;
        }

        /** @return the exit code: 1 if --once saw no flow because the server failed */
        int run(Frame frame, Controls controls, Follower follower, long intervalMillis, boolean once, int rows, LongSupplier clock)
                throws InterruptedException {
            String lastProblem = null;
            while (true) {
                Thread.sleep(intervalMillis);
                String problem = follower.problem();
                if (once && problem != null) {
                    err.println("flows: " + problem);
                    err.flush();
                    return 1;
                }
                if (problem != null && !problem.equals(lastProblem)) {
                    err.println("flows: " + problem);
                    err.flush();
                }
                lastProblem = problem;
                List<String> lines = frame.lines(controls.view(), controls.sort(), clock.getAsLong(), WIDTH, rows, null, follower.lost());
                lines.stream().filter(l -> !l.isEmpty()).forEach(out::println);
                out.println();
                out.flush();
                if (once || out.checkError()) {
                    return 0;
                }
            }
        }
    }
}
