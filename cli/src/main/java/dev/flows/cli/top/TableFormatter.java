package dev.flows.cli.top;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lays out rows as text lines of a given width: the same lines feed the full-screen view and the
 * plain periodic output, so both read alike and the layout is tested without a terminal.
 */
public final class TableFormatter {
    private static final int PROTO_W = 11;
    private static final int RATE_W = 9;
    private static final int TOTAL_W = 9;
    private static final int LAST_W = 22;
    private static final int MIN_NAME_W = 12;
    private static final int MAX_NAME_W = 48;

    private TableFormatter() {}

    /** The title line: what is shown, how sorted, and the whole view's numbers. */
    public static String title(String server, View view, Sort sort, long windowMillis, double rate, long total, int pairs) {
        return String.format(Locale.ROOT, "flows top - %s - %s by %s - %.1f %s/s over %s, %d total, %d pairs",
                server, view == View.FLOWS ? "flows" : "drops", sort.label(), rate,
                view == View.FLOWS ? "flows" : "drops", seconds(windowMillis), total, pairs);
    }

    /** Column header and rows, each line at most {@code width} characters. */
    public static List<String> table(List<Row> rows, View view, Sort sort, int width) {
        // Names share what the fixed columns leave, so long pod names are cut, not the numbers.
        int fixed = PROTO_W + RATE_W + TOTAL_W + LAST_W + 5;
        int name = Math.max(MIN_NAME_W, Math.min(MAX_NAME_W, (width - fixed) / 2));
        List<String> out = new ArrayList<>();
        out.add(cut(line(name, mark("SOURCE", sort), "DESTINATION", "PROTO/PORT",
                mark("FLOWS/S", sort), mark("TOTAL", sort), view.lastColumn()), width));
        for (Row r : rows) {
            out.add(cut(line(name, r.key().source(), r.key().destination(), r.key().service(),
                    String.format(Locale.ROOT, "%.1f", r.rate()), Long.toString(r.total()), r.last()), width));
        }
        if (rows.isEmpty()) {
            out.add(view == View.DROPS ? "(no drops seen)" : "(no flows yet)");
        }
        return out;
    }

    private static String line(int nameW, String src, String dst, String proto, String rate, String total, String last) {
        return String.format(Locale.ROOT, "%-" + nameW + "s %-" + nameW + "s %-" + PROTO_W + "s %" + RATE_W + "s %" + TOTAL_W + "s  %s",
                fit(src, nameW), fit(dst, nameW), fit(proto, PROTO_W), rate, total, last).stripTrailing();
    }

    // The sorted column's header carries a '*' so the order is visible without colours.
    private static String mark(String column, Sort sort) {
        return sort.column().equals(column) ? column + "*" : column;
    }

    // Keeps the end of a long name: pod names differ in their hash suffix, not their prefix.
    private static String fit(String s, int w) {
        return s.length() <= w ? s : "~" + s.substring(s.length() - w + 1);
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width));
    }

    static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }
}
