package dev.flows.cli.top;

import static dev.flows.cli.top.Flows.CART;
import static dev.flows.cli.top.Flows.FRONTEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.proto.flow.DropReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys change what is shown; the text shows it. */
class ControlsAndFormatTest {
    @Test
    void keysSortToggleAndQuit() {
        Controls c = new Controls(Sort.RATE, View.FLOWS);

        assertTrue(c.press('t'));
        assertEquals(Sort.TOTAL, c.sort());
        assertTrue(c.press('N'), "keys work with caps lock on");
        assertEquals(Sort.NAME, c.sort());
        assertTrue(c.press('r'));
        assertEquals(Sort.RATE, c.sort());
        assertTrue(c.press('d'));
        assertEquals(View.DROPS, c.view());
        assertTrue(c.press('d'));
        assertEquals(View.FLOWS, c.view());
        assertFalse(c.press('x'), "other keys change nothing");
        assertFalse(c.quitting());
        assertTrue(c.press('q'));
        assertTrue(c.quitting());
        Controls ctrlC = new Controls(Sort.RATE, View.FLOWS);
        ctrlC.press(3);
        assertTrue(ctrlC.quitting(), "Ctrl-C as a byte quits too");
    }

    @Test
    void headerMarksTheSortedColumnAndNamesTheLastColumnByView() {
        List<Row> rows = List.of(new Row(new PairKey(FRONTEND, CART, "TCP", 8080), 12.345, 99, "FORWARDED"));

        List<String> byRate = TableFormatter.table(rows, View.FLOWS, Sort.RATE, 160);
        assertTrue(byRate.get(0).matches("SOURCE +DESTINATION +PROTO/PORT +FLOWS/S\\* +TOTAL +VERDICT"), byRate.get(0));
        assertTrue(byRate.get(1).matches(".*" + FRONTEND + " +" + CART + " +TCP/8080 +12\\.3 +99 +FORWARDED"), byRate.get(1));
        assertTrue(TableFormatter.table(rows, View.FLOWS, Sort.TOTAL, 160).get(0).contains("TOTAL*"));
        assertTrue(TableFormatter.table(rows, View.FLOWS, Sort.NAME, 160).get(0).startsWith("SOURCE*"));
        assertTrue(TableFormatter.table(List.of(), View.DROPS, Sort.RATE, 160).get(0).endsWith("REASON"));
        assertEquals("(no drops seen)", TableFormatter.table(List.of(), View.DROPS, Sort.RATE, 160).get(1));
    }

    @Test
    void narrowScreensCutNamesFromTheFrontAndNeverOverflow() {
        List<Row> rows = List.of(new Row(new PairKey(FRONTEND, CART, "TCP", 8080), 1, 1, "FORWARDED"));
        for (String line : TableFormatter.table(rows, View.FLOWS, Sort.RATE, 80)) {
            assertTrue(line.length() <= 80, line);
        }
        assertTrue(TableFormatter.table(rows, View.FLOWS, Sort.RATE, 80).get(1).startsWith("~"), "the pod hash suffix is kept");
    }

    @Test
    void frameShowsTitleStatusAndTheDropsOfTheDropsView() {
        TopTable table = new TopTable(10_000, 0);
        table.record(Flows.drop(FRONTEND, CART, 9999, DropReason.POLICY_DENIED), 500);
        Frame frame = new Frame(table, "172.20.0.2:4244");

        List<String> lines = frame.lines(View.DROPS, Sort.RATE, 1000, 160, 10, "server x: UNAVAILABLE", 0);

        assertTrue(lines.get(0).startsWith("flows top - 172.20.0.2:4244 - drops by rate - 1.0 drops/s over 10s, 1 total, 1 pairs"), lines.get(0));
        assertEquals("server x: UNAVAILABLE", lines.get(1));
        assertTrue(lines.get(3).contains("TCP/9999") && lines.get(3).endsWith("POLICY_DENIED"), lines.get(3));
    }
}
