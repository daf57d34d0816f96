package dev.flows.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows of observe's table output, aligned like Go's tabwriter as the Hubble CLI sets it up: each
 * column but the last is as wide as its widest cell plus 3 spaces. Written in blocks (one per
 * flow with --follow), columns keep the widest width seen so far, so they only ever grow.
 */
final class Table {
    private static final int PADDING = 3;

    private final List<List<String>> rows = new ArrayList<>();
    private boolean headerWritten;
    private int[] widths = new int[0];

    void add(List<String> row) {
        rows.add(row);
    }

    /** Writes the held rows (and the header first, once) and forgets them. */
    void writeTo(PrintWriter out, boolean nodeName) {
        if (rows.isEmpty()) {
            return;
        }
        List<List<String>> block = new ArrayList<>();
        if (!headerWritten) {
            List<String> header = new ArrayList<>(List.of("TIMESTAMP"));
            if (nodeName) {
                header.add("NODE");
            }
            header.addAll(List.of("SOURCE", "DESTINATION", "TYPE", "VERDICT", "SUMMARY"));
            block.add(header);
            headerWritten = true;
        }
        block.addAll(rows);
        rows.clear();
        widths = widths(block, widths);
        align(block, widths).forEach(out::println);
    }

    /** Pads every cell but the last of each row to its column's width plus the padding. */
    static List<String> align(List<List<String>> rows) {
        return align(rows, widths(rows, new int[0]));
    }

    private static int[] widths(List<List<String>> rows, int[] atLeast) {
        int columns = Math.max(atLeast.length, rows.stream().mapToInt(List::size).max().orElse(0));
        int[] width = java.util.Arrays.copyOf(atLeast, columns);
        for (List<String> r : rows) {
            for (int i = 0; i < r.size() - 1; i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        return width;
    }

    private static List<String> align(List<List<String>> rows, int[] width) {
        List<String> lines = new ArrayList<>();
        for (List<String> r : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                b.append(r.get(i));
                if (i < r.size() - 1) {
                    b.append(" ".repeat(width[i] - r.get(i).length() + PADDING));
                }
            }
            lines.add(b.toString());
        }
        return lines;
    }
}
