package dev.flows.cli;

/** A flag has a value the CLI cannot use; printed as one line, exit code 2. */
public final class FlagException extends RuntimeException {
    public FlagException(String flag, String value, String valid) {
        super("invalid value '" + value + "' for " + flag + ": expected " + valid);
    }

    public FlagException(String message) {
        super(message);
    }
}
