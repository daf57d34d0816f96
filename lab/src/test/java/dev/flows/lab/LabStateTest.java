package dev.flows.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's view of the lab's processes after a collector was restarted. */
class LabStateTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedCollectorReplacesTheKilledOneInStatusButDownStillSeesBoth() throws Exception {
        LabState state = new LabState(dir);
        state.create();
        long me = ProcessHandle.current().pid();
        state.append("process", "collector-node-a 1 1");
        state.append("process", "collector-node-b 999999999 42"); // killed: no such process now
        state.append("process", "relay 2 2");
        state.append("process", "collector-node-b " + me + " " + LabState.startTime(me)); // its replacement

        assertEquals(List.of("collector-node-a", "collector-node-b", "relay"), state.processes().stream().map(LabState.Proc::role).toList(),
                "one process per role");
        LabState.Proc b = state.processes().stream().filter(p -> p.role().equals("collector-node-b")).findFirst().orElseThrow();
        assertEquals(me, b.pid(), "the replacement is the collector of node-b now");
        assertEquals(4, state.everyProcess().size(), "lab down still checks the replaced one");

        List<String> status = new LabStatus(state).report();
        List<String> nodeB = status.stream().filter(l -> l.startsWith("process collector-node-b")).toList();
        assertEquals(List.of("process collector-node-b pid " + me + " running"), nodeB, String.join("\n", status));
        assertFalse(status.stream().anyMatch(l -> l.contains("999999999")), "the killed one is not listed");
        assertTrue(Files.exists(state.file()));
    }
}
