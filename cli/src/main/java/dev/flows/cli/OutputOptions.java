package dev.flows.cli;

import picocli.CommandLine.Option;

/** -o / --output. */
public final class OutputOptions {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "compact",
            description = "compact (one line per flow, as hubble prints it), json or jsonpb (one line of protobuf JSON per response).")
    String output;
}
