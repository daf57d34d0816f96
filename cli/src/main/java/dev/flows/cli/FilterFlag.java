package dev.flows.cli;

/**
 * One filter flag as typed, in command-line order: order matters because {@code --not} negates
 * only the flag that follows it.
 *
 * @param flag the long name, e.g. "--from-pod"
 * @param negated true if "--not" came right before it (the filter goes to the blacklist)
 */
public record FilterFlag(String flag, String value, boolean negated) {}
