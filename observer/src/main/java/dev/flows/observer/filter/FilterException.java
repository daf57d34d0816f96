package dev.flows.observer.filter;

/** A filter that cannot be compiled; the one-line message names the field, the value and what is valid. */
public final class FilterException extends Exception {
    public FilterException(String message) {
        super(message);
    }

    static FilterException bad(String field, Object value, String valid) {
        return new FilterException("invalid " + field + " filter \"" + value + "\": " + valid);
    }
}
