package dev.flows.observer.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Timestamp;
import dev.flows.observer.filter.FlowEntry;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowFilter;
import dev.flows.proto.flow.IP;
import dev.flows.proto.flow.LostEvent;
import dev.flows.proto.observer.GetFlowsRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** number/first/since/until/filters over a finite history, as the server and --input-file apply them. */
class FlowSelectionTest {
    private static final long S = 1_000_000_000L;

    /** Flows at seconds 1..6 from 10.0.0.<second>, a loss notice at second 3.5. */
    private static List<FlowEntry> history() {
        List<FlowEntry> h = new ArrayList<>();
        for (int s = 1; s <= 6; s++) {
            Flow f = Flow.newBuilder().setTime(Timestamp.newBuilder().setSeconds(s))
                    .setIP(IP.newBuilder().setSource("10.0.0." + s)).build();
            h.add(new FlowEntry(h.size(), s * S, f, null));
            if (s == 3) {
                h.add(new FlowEntry(h.size(), 3 * S + S / 2, null, LostEvent.newBuilder().setNumEventsLost(7).build()));
            }
        }
        return h;
    }

    private static String picked(GetFlowsRequest req) throws FilterException {
        StringBuilder b = new StringBuilder();
        for (FlowEntry e : FlowSelection.of(req).select(history())) {
            b.append(e.isFlow() ? Long.toString(e.timeNanos() / S) : "L").append(' ');
        }
        return b.toString().strip();
    }

    @Test
    void lastTakesTheNewestOldestFirstWithLossNoticesAmongThem() throws Exception {
        assertEquals("4 5 6", picked(GetFlowsRequest.newBuilder().setNumber(3).build()));
        assertEquals("3 L 4 5 6", picked(GetFlowsRequest.newBuilder().setNumber(4).build()));
        assertEquals("1 2 3 L 4 5 6", picked(GetFlowsRequest.newBuilder().build()));
        assertEquals("1 2 3 L 4 5 6", picked(GetFlowsRequest.newBuilder().setNumber(-1L).build()));
    }

    @Test
    void firstTakesTheOldest() throws Exception {
        assertEquals("1 2", picked(GetFlowsRequest.newBuilder().setFirst(true).setNumber(2).build()));
        assertEquals("1 2 3 L 4", picked(GetFlowsRequest.newBuilder().setFirst(true).setNumber(4).build()));
    }

    @Test
    void timeRangeAndFiltersComeBeforeTheNumber() throws Exception {
        GetFlowsRequest range = GetFlowsRequest.newBuilder().setNumber(2)
                .setSince(Timestamp.newBuilder().setSeconds(2)).setUntil(Timestamp.newBuilder().setSeconds(4)).build();
        assertEquals("3 L 4", picked(range));
        GetFlowsRequest notFive = GetFlowsRequest.newBuilder().setNumber(2)
                .addBlacklist(FlowFilter.newBuilder().addSourceIp("10.0.0.5")).build();
        assertEquals("4 6", picked(notFive));
    }
}
