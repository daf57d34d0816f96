package dev.flows.lab;

/** A lab operation failed; the message is one line that says what failed and why. */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }
}
