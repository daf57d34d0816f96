package dev.flows.cli.top;

/** Which flows the table counts; {@code d} toggles between them. */
public enum View {
    /** Every flow; the last column is the last verdict. */
    FLOWS("VERDICT"),
    /** Only flows with verdict DROPPED; the last column is the drop reason. */
    DROPS("REASON");

    private final String lastColumn;

    View(String lastColumn) {
        this.lastColumn = lastColumn;
    }

    public String lastColumn() {
        return lastColumn;
    }

    View toggled() {
        return this == FLOWS ? DROPS : FLOWS;
    }
}
