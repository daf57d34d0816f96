package dev.flows.cli.top;

import static dev.flows.cli.top.Flows.CART;
import static dev.flows.cli.top.Flows.CATALOG;
import static dev.flows.cli.top.Flows.FRONTEND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.proto.flow.DropReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pairs, sliding-window rates, sort orders and the drops view, with times passed in. */
class TopTableTest {
    private static final long T0 = 1_000_000;
    private final TopTable table = new TopTable(10_000, T0);

    private void record(int n, dev.flows.proto.flow.Flow f, long at) {
        for (int i = 0; i < n; i++) {
            table.record(f, at);
        }
    }

    @Test
    void rateIsFlowsPerSecondOverTheWindowAndForgetsOldFlows() {
        // 10 flows/s for 10 s
        for (int s = 0; s < 10; s++) {
            record(10, Flows.tcp(FRONTEND, CART, 40000, 8080, false), T0 + s * 1000 + 500);
        }
        Row r = table.rows(View.FLOWS, Sort.RATE, T0 + 10_000, 10).get(0);
        assertEquals(10.0, r.rate(), 0.6);
        assertEquals(100, r.total());

        // 20 s later nothing is in the window: the rate falls to 0, the total stays
        Row later = table.rows(View.FLOWS, Sort.RATE, T0 + 30_000, 10).get(0);
        assertEquals(0.0, later.rate());
        assertEquals(100, later.total());
        assertEquals(0.0, table.rate(View.FLOWS, T0 + 30_000));
    }

    @Test
    void earlyRatesDivideByTheTimeElapsedNotTheWholeWindow() {
        record(20, Flows.tcp(FRONTEND, CART, 40000, 8080, false), T0 + 1000);

        assertEquals(10.0, table.rows(View.FLOWS, Sort.RATE, T0 + 2000, 10).get(0).rate(), 0.01);
    }

    @Test
    void sortKeysOrderByRateTotalOrName() {
        // catalog: many flows long ago (high total, no rate now); cart: fewer, recent
        record(50, Flows.tcp(FRONTEND, CATALOG, 40000, 8080, false), T0);
        record(5, Flows.tcp(FRONTEND, CART, 40000, 8080, false), T0 + 25_000);
        record(1, Flows.udp("infra/coredns", "a/z", 53), T0 + 25_000);
        long now = T0 + 26_000;

        assertEquals(List.of(CART, "a/z", CATALOG), destinations(table.rows(View.FLOWS, Sort.RATE, now, 10)),
                "by rate: the recent pairs first");
        assertEquals(CATALOG, table.rows(View.FLOWS, Sort.TOTAL, now, 10).get(0).key().destination(), "by total: catalog first");
        assertEquals(List.of("infra/coredns", FRONTEND, FRONTEND), sources(table.rows(View.FLOWS, Sort.NAME, now, 10)));
        assertEquals(CART, table.rows(View.FLOWS, Sort.NAME, now, 10).get(1).key().destination(), "name ties break on destination");
        assertEquals(1, table.rows(View.FLOWS, Sort.RATE, now, 1).size(), "limit");
    }

    @Test
    void dropsAreCountedInBothViewsWithTheirReasonInTheDropsView() {
        record(3, Flows.tcp(FRONTEND, CART, 40000, 8080, false), T0 + 100);
        record(4, Flows.drop(FRONTEND, CATALOG, 9999, DropReason.POLICY_DENIED), T0 + 200);

        List<Row> drops = table.rows(View.DROPS, Sort.RATE, T0 + 1000, 10);
        assertEquals(1, drops.size(), "only DROPPED flows are in the drops view");
        assertEquals(new PairKey(FRONTEND, CATALOG, "TCP", 9999), drops.get(0).key());
        assertEquals("POLICY_DENIED", drops.get(0).last());
        assertEquals(4, table.total(View.DROPS));

        List<Row> flows = table.rows(View.FLOWS, Sort.TOTAL, T0 + 1000, 10);
        assertEquals(2, flows.size());
        assertEquals("DROPPED", flows.get(0).last(), "the flows view shows the last verdict");
        assertEquals("FORWARDED", flows.get(1).last());
        assertEquals(7, table.total(View.FLOWS));
    }

    @Test
    void dropReasonFallsBackToTheEventSubTypeCode() {
        var f = Flows.drop(FRONTEND, CART, 1, DropReason.POLICY_DENIED).toBuilder().setDropReasonDescValue(0).build();
        assertEquals("POLICY_DENIED", TopTable.reason(f));
        var unknown = f.toBuilder().setEventType(f.getEventType().toBuilder().setSubType(250)).build();
        assertEquals("250", TopTable.reason(unknown));
    }

    @Test
    void manyPairsAreCappedByForgettingTheLeastRecentlySeen() {
        for (int i = 0; i <= TopTable.MAX_PAIRS; i++) {
            table.record(Flows.tcp("ns/p" + i, CART, 1, 80, false), T0 + i);
        }
        assertTrue(table.pairs(View.FLOWS) <= TopTable.MAX_PAIRS);
        List<String> left = sources(table.rows(View.FLOWS, Sort.NAME, T0 + 20_000, Integer.MAX_VALUE));
        assertTrue(left.contains("ns/p" + TopTable.MAX_PAIRS), "the newest stays");
        assertTrue(!left.contains("ns/p0"), "the oldest goes");
    }

    private static List<String> destinations(List<Row> rows) {
        return rows.stream().map(r -> r.key().destination()).toList();
    }

    private static List<String> sources(List<Row> rows) {
        return rows.stream().map(r -> r.key().source()).toList();
    }
}
