package dev.flows.observer.tls;

/** A TLS setting or file that cannot be used; the message is one line naming it. */
public final class TlsException extends RuntimeException {
    public TlsException(String message) {
        super(message);
    }
}
