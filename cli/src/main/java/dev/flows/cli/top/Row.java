package dev.flows.cli.top;

/**
 * One line of the table at one instant.
 *
 * @param rate flows per second over the sliding window
 * @param total flows since top started
 * @param last the last flow's verdict, or for drops its drop reason
 */
public record Row(PairKey key, double rate, long total, String last) {}
