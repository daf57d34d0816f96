package dev.flows.cli.top;

import java.util.ArrayList;
import java.util.List;

/** One refresh of top as text lines: title, status, table; shared by the screen and plain output. */
final class Frame {
    private final TopTable table;
    private final String server;

    Frame(TopTable table, String server) {
        this.table = table;
        this.server = server;
    }

    /**
     * @param maxRows table rows to show at most (the screen passes what fits)
     * @param problem why no flows arrive, or null
     */
    List<String> lines(View view, Sort sort, long nowMillis, int width, int maxRows, String problem, long lost) {
        List<String> out = new ArrayList<>();
        out.add(clip(TableFormatter.title(server, view, sort, table.windowMillis(), table.rate(view, nowMillis),
                table.total(view), table.pairs(view)), width));
        String status = problem != null ? problem : lost > 0 ? "server reported " + lost + " lost events" : "";
        out.add(clip(status, width));
        out.addAll(TableFormatter.table(table.rows(view, sort, nowMillis, Math.max(0, maxRows)), view, sort, width));
        return out;
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width);
    }
}
