package dev.flows.cli;

/**
 * A flag has a value the CLI cannot use; printed as one line, exit code 2. Worded as
 * {@link dev.flows.observer.config.Options#oneLine} words a converter's refusal ("FLAG VALUE: must
 * be ..."), so a value refused at parse and one refused later read alike.
 */
public final class FlagException extends RuntimeException {
    public FlagException(String flag, String value, String valid) {
        super(flag + " " + value + ": must be " + valid);
    }

    public FlagException(String message) {
        super(message);
    }
}
