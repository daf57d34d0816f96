package dev.flows.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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

    @Test
    void theStateSaysWhereTheCertificatesAreAndWhichNameEachEndpointCarries() throws Exception {
        LabState state = new LabState(dir);
        state.create();
        LabTls made = LabTls.make(dir.resolve(LabTls.DIR), List.of("node-a"));
        state.append("tls", made.dir().toString());
        state.append("collector", "node-a 172.20.0.2:4244");
        state.append("relay", "127.0.0.1:4245");

        assertEquals(Optional.of(new LabState.Entry("127.0.0.1:4245", "relay.flows.dev")), state.entryPoint());
        assertEquals(Optional.of(new LabState.Entry("172.20.0.2:4244", "node-a.flows-collector.flows.dev")), state.endpoint("172.20.0.2:4244"));
        assertEquals(Optional.empty(), state.endpoint("localhost:4245"), "only the addresses the lab recorded");
        LabTls tls = state.tls().orElseThrow();
        for (Path f : List.of(tls.ca(), tls.client().cert(), tls.client().key(), tls.collector("node-a").cert())) {
            assertTrue(Files.isReadable(f), f + " made");
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.client().key())),
                "a key is its owner's alone");

        List<String> report = new LabStatus(state).report();
        assertTrue(report.containsAll(List.of("tls ca " + tls.ca(), "tls client cert " + tls.client().cert(),
                "tls client key " + tls.client().key(), "tls server name relay.flows.dev (the relay's certificate)")), String.join("\n", report));
        Struct.Builder json = Struct.newBuilder();
        JsonFormat.parser().merge(new LabStatus(state).json(), json);
        Struct t = json.getFieldsOrThrow("tls").getStructValue();
        assertEquals(List.of(tls.ca().toString(), tls.client().cert().toString(), tls.client().key().toString(), "relay.flows.dev"),
                List.of("ca", "clientCert", "clientKey", "serverName").stream().map(k -> t.getFieldsOrThrow(k).getStringValue()).toList());
    }
}
