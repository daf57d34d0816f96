package dev.flows.collector.decode;

/**
 * Why a ring record did not become a flow. The loop that decodes counts these and goes on; none
 * is ever thrown.
 */
public enum DecodeError {
    /** Shorter than the header, or than the body its type needs. */
    SHORT_RECORD,
    /** The header's len field disagrees with the record's length. */
    LENGTH_MISMATCH,
    /** Written by programs of another layout version (collector and BPF objects out of step). */
    UNSUPPORTED_VERSION,
    /** A type this collector does not decode (yet). */
    UNKNOWN_TYPE,
    /** A field holds a value its enum does not define (observation point, address family). */
    INVALID_FIELD
}
