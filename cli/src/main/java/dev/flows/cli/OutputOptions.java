package dev.flows.cli;

import java.time.ZoneId;
import picocli.CommandLine.Option;

/** -o / --output, --print-node-name, --color. */
public final class OutputOptions {
    @Option(names = {"-o", "--output"}, converter = FlowPrinter.FormatConverter.class, paramLabel = "FORMAT", defaultValue = "compact",
            description = "compact (one line per flow, as hubble prints it), dict (KEY: value blocks), table (aligned columns), "
                    + "json or jsonpb (one line of protobuf JSON per response).")
    FlowPrinter.Format output;

    @Option(names = "--print-node-name", description = "Print the node that observed each flow.")
    boolean printNodeName;

    @Option(names = "--color", converter = Colors.WhenConverter.class, paramLabel = "WHEN", defaultValue = "auto",
            description = "auto (only when stdout is a terminal), always or never.")
    Colors.When color;

    /** The printer these options ask for. */
    FlowPrinter printer(ZoneId zone, boolean stdoutIsTerminal) {
        return new FlowPrinter(output, zone, printNodeName, Colors.enabled(color, stdoutIsTerminal));
    }
}
