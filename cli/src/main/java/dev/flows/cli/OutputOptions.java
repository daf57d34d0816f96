package dev.flows.cli;

import java.time.ZoneId;
import picocli.CommandLine.Option;

/** -o / --output, --print-node-name, --color. */
public final class OutputOptions {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "compact",
            description = "compact (one line per flow, as hubble prints it), dict (KEY: value blocks), table (aligned columns), "
                    + "json or jsonpb (one line of protobuf JSON per response).")
    String output;

    @Option(names = "--print-node-name", description = "Print the node that observed each flow.")
    boolean printNodeName;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "auto (only when stdout is a terminal), always or never.")
    String color;

    /** The printer these options ask for; validates -o and --color. */
    FlowPrinter printer(ZoneId zone, boolean stdoutIsTerminal) {
        boolean colored = Colors.enabled(color, stdoutIsTerminal);
        return new FlowPrinter(output, zone, printNodeName, colored);
    }
}
