package dev.flows.cli;

/**
 * Which flows to ask for, as typed: null or false where not given.
 *
 * @param since RFC 3339 or a relative duration such as 5m, 1h30m
 */
public record Selection(Integer last, Integer first, boolean all, boolean follow, String since, String until) {
    public static final Selection DEFAULT = new Selection(null, null, false, false, null, null);
}
