package dev.flows.cli;

import java.util.Locale;

/** The flows/s column of status and nodes: flows seen over the server's uptime. */
final class FlowRate {
    private FlowRate() {}

    /** "12.50", or "N/A" before the server has been up for any time. */
    static String of(long seen, long uptimeNs) {
        if (uptimeNs <= 0) {
            return "N/A";
        }
        return String.format(Locale.US, "%.2f", seen / (uptimeNs / 1e9));
    }
}
