package dev.flows.collector.decode;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Java enums are twins of flows_event.h's: same names, same numbers, nothing missing. */
class EventEnumsTest {
    static String header() throws IOException {
        String home = System.getenv("FLOWS_HOME");
        Path p = home != null ? Path.of(home, "bpf/include/flows_event.h") : Path.of("../bpf/include/flows_event.h");
        return Files.readString(p);
    }

    static Map<String, Integer> cEnum(String header, String name) {
        Matcher m = Pattern.compile("enum " + name + "\\s*\\{([^}]*)\\}").matcher(header);
        assertTrue(m.find(), "enum " + name + " not found in flows_event.h");
        Map<String, Integer> out = new LinkedHashMap<>();
        Matcher e = Pattern.compile("([A-Z_][A-Z0-9_]*)\\s*=\\s*(\\d+)").matcher(m.group(1).replaceAll("/\\*.*?\\*/", ""));
        while (e.find()) {
            out.put(e.group(1), Integer.parseInt(e.group(2)));
        }
        return out;
    }

    @Test
    void eventTypes() throws IOException {
        Map<String, Integer> c = cEnum(header(), "flows_event_type");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (EventType t : EventType.values()) {
            java.put(t.cName(), t.code());
        }
        assertEquals(c, java);
    }

    @Test
    void observationPoints() throws IOException {
        Map<String, Integer> c = cEnum(header(), "flows_obs_point");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (ObservationPoint p : ObservationPoint.values()) {
            java.put(p.cName(), p.code());
        }
        assertEquals(c, java);
    }

    /** Our drop reasons are Hubble's: DROP_X = n in C is DropReason X = n in the proto. */
    @Test
    void dropReasonsAreHubbles() throws IOException {
        Map<String, Integer> c = cEnum(header(), "flows_drop_reason");
        assertFalse(c.isEmpty());
        c.forEach((name, number) -> {
            dev.flows.proto.flow.DropReason r = dev.flows.proto.flow.DropReason.forNumber(number);
            assertNotNull(r, name + " = " + number + " is no Hubble DropReason");
            assertEquals(name, "DROP_" + r.name());
        });
    }

    /** Why a trace was written: REPORT_X = n in C is ReportReason REPORT_X = n in flow.proto, all of them. */
    @Test
    void reportReasonsAreTheProtos() throws IOException {
        Map<String, Integer> c = cEnum(header(), "flows_report_reason");
        Map<String, Integer> proto = new LinkedHashMap<>();
        for (dev.flows.proto.flow.ReportReason r : dev.flows.proto.flow.ReportReason.values()) {
            if (r != dev.flows.proto.flow.ReportReason.UNRECOGNIZED && r.getNumber() != 0) {
                proto.put(r.name(), r.getNumber());
            }
        }
        assertTrue(c.containsKey("REPORT_FLUSH"), c::toString);
        assertEquals(c, proto);
    }

    @Test
    void layoutVersion() throws IOException {
        Matcher m = Pattern.compile("#define FLOWS_EVENT_VERSION (\\d+)").matcher(header());
        assertTrue(m.find());
        assertEquals(Integer.parseInt(m.group(1)), EventLayout.VERSION);
    }
}
