package dev.flows.cli;

import dev.flows.proto.flow.Verdict;

/**
 * ANSI colors as the Hubble CLI uses them: hosts cyan, identities magenta, FORWARDED green,
 * DROPPED and ERROR red, AUDIT yellow. Disabled, every method returns its text unchanged.
 */
final class Colors {
    private static final String RESET = "\u001b[0m";
    static final String RED = "\u001b[31m";
    static final String GREEN = "\u001b[32m";
    static final String YELLOW = "\u001b[33m";
    static final String MAGENTA = "\u001b[35m";
    static final String CYAN = "\u001b[36m";

    /** --color values. */
    enum When { AUTO, ALWAYS, NEVER }

    static final class WhenConverter extends dev.flows.observer.config.LowerCaseEnum<When> { WhenConverter() { super(When.class); } }

    private final boolean on;

    Colors(boolean on) {
        this.on = on;
    }

    /** Whether to color for --color WHEN; auto colors only when stdout is a terminal. */
    static boolean enabled(When when, boolean stdoutIsTerminal) {
        return switch (when) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> stdoutIsTerminal;
        };
    }

    String host(String s) {
        return paint(CYAN, s);
    }

    String identity(String s) {
        return paint(MAGENTA, s);
    }

    String verdict(Verdict v) {
        return switch (v) {
            case FORWARDED -> paint(GREEN, v.name());
            case DROPPED, ERROR -> paint(RED, v.name());
            case AUDIT -> paint(YELLOW, v.name());
            default -> v.name();
        };
    }

    private String paint(String color, String s) {
        return on ? color + s + RESET : s;
    }
}
