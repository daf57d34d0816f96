package dev.flows.bench;

/**
 * One row of the bench report: how many events a stage handled, in how long, and how many it
 * lost (the definition of lost is the stage's own, see BENCHMARKS.md).
 *
 * @param note extra facts for the row (produced/read counts, CPU share), or why it was skipped
 */
record StageResult(String stage, long events, long nanos, long lost, String note) {
    /** A stage that could not run here: printed with its reason instead of figures. */
    static StageResult skipped(String stage, String why) {
        return new StageResult(stage, 0, 0, 0, why);
    }

    boolean ran() {
        return nanos > 0;
    }

    double perSecond() {
        return events * 1e9 / nanos;
    }

    double nsPerEvent() {
        return (double) nanos / events;
    }
}
