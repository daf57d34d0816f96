package dev.flows.collector.decode;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The decoder reads the layout version flows_event.h defines (its enums: observer's EventEnumsTest). */
class EventLayoutVersionTest {
    @Test
    void layoutVersion() throws IOException {
        String home = System.getenv("FLOWS_HOME");
        Path p = home != null ? Path.of(home, "bpf/include/flows_event.h") : Path.of("../bpf/include/flows_event.h");
        Matcher m = Pattern.compile("#define FLOWS_EVENT_VERSION (\\d+)").matcher(Files.readString(p));
        assertTrue(m.find());
        assertEquals(Integer.parseInt(m.group(1)), EventLayout.VERSION);
    }
}
