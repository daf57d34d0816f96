package dev.flows.observer.events;

import static org.junit.jupiter.api.Assertions.*;

import dev.flows.proto.flow.DropReason;
import dev.flows.proto.flow.ReportReason;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java tables are twins of bpf/include's: same names, same numbers, nothing missing. */
class EventEnumsTest {
    static String header() throws IOException {
        return CHeaders.read("flows_event.h");
    }

    @Test
    void eventTypes() throws IOException {
        Map<String, Integer> c = CHeaders.cEnum(header(), "flows_event_type");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (EventType t : EventType.values()) {
            java.put(t.cName(), t.code());
        }
        assertEquals(c, java);
    }

    @Test
    void observationPoints() throws IOException {
        Map<String, Integer> c = CHeaders.cEnum(header(), "flows_obs_point");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (ObservationPoint p : ObservationPoint.values()) {
            java.put(p.cName(), p.code());
        }
        assertEquals(c, java);
    }

    @Test
    void policyMatchTypes() throws IOException {
        Map<String, Integer> c = CHeaders.cEnum(header(), "flows_policy_match");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (PolicyMatch m : PolicyMatch.values()) {
            java.put(m.cName(), m.code());
        }
        assertEquals(c, java);
    }

    /** Our drop reasons are Hubble's: DROP_X = n in C is DropReason X = n in the proto. */
    @Test
    void dropReasonsAreHubbles() throws IOException {
        Map<String, Integer> c = CHeaders.cEnum(header(), "flows_drop_reason");
        assertFalse(c.isEmpty());
        c.forEach((name, number) -> {
            DropReason r = DropReason.forNumber(number);
            assertNotNull(r, name + " = " + number + " is no Hubble DropReason");
            assertEquals(name, "DROP_" + r.name());
        });
    }

    /** The datapath's drop reasons are exactly the header's, and each has Hubble's words. */
    @Test
    void datapathDropReasons() throws IOException {
        Map<String, Integer> c = CHeaders.cEnum(header(), "flows_drop_reason");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (DropReason r : DropReasons.DATAPATH) {
            java.put("DROP_" + r.name(), r.getNumber());
            assertNotNull(DropReasons.text(r.getNumber()), r + " has no text");
        }
        assertEquals(c, java);
    }

    /** Why a trace was written: REPORT_X = n in C is ReportReason REPORT_X = n in flow.proto, all of them. */
    @Test
    void reportReasonsAreTheProtos() throws IOException {
        Map<String, Integer> c = CHeaders.cEnum(header(), "flows_report_reason");
        Map<String, Integer> proto = new LinkedHashMap<>();
        for (ReportReason r : ReportReason.values()) {
            if (r != ReportReason.UNRECOGNIZED && r.getNumber() != 0) {
                proto.put(r.name(), r.getNumber());
            }
        }
        assertTrue(c.containsKey("REPORT_FLUSH"), c::toString);
        assertEquals(c, proto);
    }

    /** The reserved identities the datapath hands out are policy_maps.h's FLOWS_IDENTITY_*. */
    @Test
    void reservedIdentities() throws IOException {
        Map<String, Integer> c = CHeaders.defines(CHeaders.read("policy_maps.h"), "FLOWS_IDENTITY_");
        c.remove("FLOWS_IDENTITY_ANY"); // a wildcard of policy keys, no identity of a peer
        Map<String, Integer> java = new LinkedHashMap<>();
        for (ReservedIdentity r : ReservedIdentity.values()) {
            if (r.cName() != null) {
                java.put(r.cName(), r.id());
            }
        }
        assertEquals(new java.util.TreeMap<>(c), new java.util.TreeMap<>(java));
        assertEquals("reserved:world", ReservedIdentity.WORLD.label());
        assertEquals(ReservedIdentity.REMOTE_NODE, ReservedIdentity.of(6));
    }

    @Test
    void observationPointNamesAreHubbles() {
        assertEquals("to-endpoint", ObservationPoint.TO_ENDPOINT.text());
        assertEquals("from-network", ObservationPoint.FROM_NETWORK.text());
    }
}
