package dev.flows.observer.filter;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** number and first as every Observer endpoint applies them; "L" stands for a loss notice among flows. */
class TrimTest {
    private static List<String> trim(long number, boolean first, String... in) {
        List<String> out = new ArrayList<>();
        Trim<String> t = new Trim<>(number, first, s -> !s.startsWith("L"), out::add);
        for (String s : in) {
            if (!t.accept(s)) {
                break;
            }
        }
        t.finish();
        return out;
    }

    @Test
    void newestKeepsTheLastFlowsAndTheNoticesAmongThem() {
        assertEquals(List.of("L2", "f3", "f4"), trim(2, false, "f1", "L1", "f2", "L2", "f3", "f4"));
    }

    @Test
    void firstStopsAfterTheOldestFlows() {
        assertEquals(List.of("f1", "L1", "f2"), trim(2, true, "f1", "L1", "f2", "f3"));
    }

    @Test
    void zeroAndBeyondALongMeanEverything() {
        assertEquals(List.of("f1", "L1", "f2"), trim(0, false, "f1", "L1", "f2"));
        assertEquals(List.of("f1", "L1", "f2"), trim(-1, true, "f1", "L1", "f2"));
        assertEquals(Long.MAX_VALUE, Trim.limit(0));
        assertEquals(Long.MAX_VALUE, Trim.limit(Long.MIN_VALUE));
        assertEquals(7, Trim.limit(7));
    }
}
