package dev.flows.cli;

/** The command could not do its work (server error, unreadable input); one line, exit code 1. */
public class CliFailure extends RuntimeException {
    public CliFailure(String message) {
        super(message);
    }
}
