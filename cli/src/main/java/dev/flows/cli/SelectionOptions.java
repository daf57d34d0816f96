package dev.flows.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How many flows and from when: --last, --first, --all, --follow, --since, --until. */
public final class SelectionOptions {
    @Option(names = "--last", converter = CliConverters.Flows.class, paramLabel = "N",
            description = "The last N flows (default 20 when nothing else is selected).")
    Integer last;

    @Option(names = "--first", converter = CliConverters.Flows.class, paramLabel = "N", description = "The first N flows in the server's buffer.")
    Integer first;

    @Option(names = "--all", description = "All flows in the server's buffer.")
    boolean all;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new flows as they are observed.")
    boolean follow;

    @Mixin WindowOptions window = new WindowOptions();

    Selection selection() {
        return new Selection(last, first, all, follow, window.since, window.until);
    }
}
