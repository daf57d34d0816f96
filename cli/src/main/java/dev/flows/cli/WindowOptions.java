package dev.flows.cli;

import picocli.CommandLine.Option;

/** --since and --until: a window of flows in time, for any command that reads one. */
public final class WindowOptions {
    @Option(names = "--since", converter = CliConverters.WhenConverter.class, paramLabel = "TIME",
            description = "Flows since TIME: RFC 3339 or a duration ago (5m, 1h).")
    Selection.When since;

    @Option(names = "--until", converter = CliConverters.WhenConverter.class, paramLabel = "TIME",
            description = "Flows until TIME: RFC 3339 or a duration ago (5m, 1h).")
    Selection.When until;

    /** Every flow of the window (every flow held, when neither end is given). */
    public Selection all() {
        return new Selection(null, null, since == null && until == null, false, since, until);
    }
}
