package dev.flows.collector.bpf;

/** A libbpf or kernel call failed; the message names the call, the object and the errno. */
public final class BpfException extends RuntimeException {
    private final int errno;

    public BpfException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The positive errno, or 0 when the failure did not come with one. */
    public int errno() {
        return errno;
    }
}
