package dev.flows.cli;

import picocli.CommandLine.Option;

/** How many flows and from when: --last, --first, --all, --follow, --since, --until. */
public final class SelectionOptions {
    @Option(names = "--last", paramLabel = "N", description = "The last N flows (default 20 when nothing else is selected).")
    Integer last;

    @Option(names = "--first", paramLabel = "N", description = "The first N flows in the server's buffer.")
    Integer first;

    @Option(names = "--all", description = "All flows in the server's buffer.")
    boolean all;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new flows as they are observed.")
    boolean follow;

    @Option(names = "--since", paramLabel = "TIME", description = "Flows since TIME: RFC 3339 or a duration ago (5m, 1h).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Flows until TIME: RFC 3339 or a duration ago (5m, 1h).")
    String until;

    Selection selection() {
        return new Selection(last, first, all, follow, since, until);
    }
}
