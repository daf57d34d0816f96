package dev.flows.collector.policy;

import dev.flows.observer.net.Ipv4Prefix;

import static dev.flows.collector.policy.PolicyMapLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flows.collector.decode.Btf;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java twins against bpf/include/policy_maps.h, compiled here on its own into a BPF object
 * whose BTF gives the C layout (uplink.bpf.o does not include it; pod.bpf.o does, via policy.h).
 */
class PolicyMapLayoutTest {
    private static final Path HEADER_DIR = Path.of("../bpf/include").toAbsolutePath().normalize();

    /** struct, member, offset, size, as PolicyMapLayout says. */
    private static final List<Object[]> FIELDS = List.of(
            new Object[] {"ipcache_key", "prefixlen", IPCACHE_KEY_PREFIXLEN, 4},
            new Object[] {"ipcache_key", "addr", IPCACHE_KEY_ADDR, 4},
            new Object[] {"ipcache_value", "identity", IPCACHE_VALUE_IDENTITY, 4},
            new Object[] {"policy_key", "prefixlen", POLICY_KEY_PREFIXLEN, 4},
            new Object[] {"policy_key", "endpoint_id", POLICY_KEY_ENDPOINT_ID, 4},
            new Object[] {"policy_key", "direction", POLICY_KEY_DIRECTION, 1},
            new Object[] {"policy_key", "remote_identity", POLICY_KEY_REMOTE_IDENTITY, 4},
            new Object[] {"policy_key", "protocol", POLICY_KEY_PROTOCOL, 1},
            new Object[] {"policy_key", "dport", POLICY_KEY_DPORT, 2},
            new Object[] {"policy_value", "action", POLICY_VALUE_ACTION, 1},
            new Object[] {"policy_value", "policy_id", POLICY_VALUE_POLICY_ID, 4},
            new Object[] {"endpoint_key", "endpoint_id", ENDPOINT_KEY_ENDPOINT_ID, 4},
            new Object[] {"endpoint_value", "ingress_mode", ENDPOINT_VALUE_INGRESS, 1},
            new Object[] {"endpoint_value", "egress_mode", ENDPOINT_VALUE_EGRESS, 1});
    private static final Map<String, Integer> SIZES = Map.of(
            "ipcache_key", IPCACHE_KEY_SIZE, "ipcache_value", IPCACHE_VALUE_SIZE, "policy_key", POLICY_KEY_SIZE,
            "policy_value", POLICY_VALUE_SIZE, "endpoint_key", ENDPOINT_KEY_SIZE, "endpoint_value", ENDPOINT_VALUE_SIZE);

    @Test
    void theJavaTwinsMatchTheHeadersBtf(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/clang")) && (Files.exists(Path.of("/usr/sbin/bpftool")) || Files.exists(Path.of("/usr/bin/bpftool")))
                || "1".equals(System.getenv("FLOWS_REQUIRE_BPF")), "clang or bpftool is not installed");
        Path src = dir.resolve("policy_maps_btf.c");
        StringBuilder c = new StringBuilder("#include \"policy_maps.h\"\n");
        SIZES.keySet().forEach(s -> c.append("struct ").append(s).append(" ").append(s).append("_v;\n"));
        Files.writeString(src, c);
        Path obj = dir.resolve("policy_maps_btf.o");
        Process p = new ProcessBuilder("clang", "-g", "-O2", "-target", "bpf", "-I" + HEADER_DIR,
                "-I/usr/include/" + System.getProperty("os.arch").replace("amd64", "x86_64") + "-linux-gnu",
                "-c", src.toString(), "-o", obj.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);

        Btf btf = Btf.dump(obj);
        SIZES.forEach((s, size) -> assertEquals(btf.structSize(s), size, "sizeof(struct " + s + ")"));
        for (Object[] f : FIELDS) {
            int[] member = btf.members((String) f[0]).get((String) f[1]);
            assertEquals(List.of(f[2], f[3]), List.of(member[0], member[1]), "offset and size of " + f[0] + "." + f[1]);
        }
    }

    @Test
    void constantsMatchTheHeader() throws Exception {
        String h = Files.readString(HEADER_DIR.resolve("policy_maps.h"));
        assertEquals(true, h.contains("#define FLOWS_IDENTITY_ANY " + IDENTITY_ANY + " "));
        assertEquals(true, h.contains("#define FLOWS_IDENTITY_CIDR_MIN (1u << 24)") && CIDR_IDENTITY_MIN == 1 << 24);
        assertEquals(true, h.contains("#define FLOWS_POLICY_INGRESS " + PolicyKey.INGRESS + "\n"));
        assertEquals(true, h.contains("#define FLOWS_POLICY_EGRESS " + PolicyKey.EGRESS + "\n"));
        assertEquals(true, h.contains("#define FLOWS_POLICY_ACTION_ALLOW " + ACTION_ALLOW + "\n"));
        for (EndpointPolicy.Mode m : EndpointPolicy.Mode.values()) {
            assertEquals(true, h.contains("#define FLOWS_POLICY_MODE_" + m + " " + m.ordinal() + "\n"), m.toString());
        }
    }

    @Test
    void keysEncodeAsTheTrieComparesThem() {
        PolicyKey k = PolicyKey.port(PolicyKey.endpointId("10.244.1.20"), PolicyKey.EGRESS, 0x123456, PolicyKey.TCP, 8080);
        ByteBuffer expected = ByteBuffer.allocate(POLICY_KEY_SIZE).order(ByteOrder.nativeOrder())
                .putInt(0, 128).put(8, (byte) 1).putInt(12, 0x123456).put(16, (byte) 6);
        expected.put(4, (byte) 10).put(5, (byte) 244).put(6, (byte) 1).put(7, (byte) 20); // the address as on the wire
        expected.put(18, (byte) (8080 >> 8)).put(19, (byte) (8080 & 0xff)); // __be16
        assertArrayEquals(expected.array(), policyKey(k));

        byte[] ipc = ipcacheKey(Ipv4Prefix.parse("203.0.113.0/24"));
        assertEquals(24, ByteBuffer.wrap(ipc).order(ByteOrder.nativeOrder()).getInt(0));
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 0}, java.util.Arrays.copyOfRange(ipc, 4, 8));
        assertArrayEquals(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).put(0, (byte) 1).putInt(4, 12345).array(),
                policyValue(new PolicyValue(12345)));
        assertArrayEquals(new byte[] {0, 1, 0, 0}, endpointValue(new EndpointPolicy(EndpointPolicy.Mode.OFF, EndpointPolicy.Mode.ENFORCE)));
        assertArrayEquals(new byte[] {2, 0, 0, 0}, endpointValue(new EndpointPolicy(EndpointPolicy.Mode.AUDIT, EndpointPolicy.Mode.OFF)));
    }

    @Test
    void portRangesSplitIntoTheFewestPrefixes() {
        assertEquals(List.of(new PolicyKey(1, 0, 2, 6, 8080, 128)), range(8080, 8080));
        assertEquals(List.of(new PolicyKey(1, 0, 2, 6, 1000, 125)), range(1000, 1007), "an aligned block of 8: 13 port bits");
        assertEquals(16, range(1, 65535).size(), "1, 2-3, 4-7, ... 32768-65535");
        List<PolicyKey> keys = range(32000, 32768);
        assertEquals(List.of(new PolicyKey(1, 0, 2, 6, 32000, 112 + 8), new PolicyKey(1, 0, 2, 6, 32256, 112 + 7),
                new PolicyKey(1, 0, 2, 6, 32768, 128)), keys, "32000-32255, 32256-32767, 32768");
        for (int port = 31990; port < 32780; port++) {
            int p = port;
            long covering = keys.stream().filter(k -> PolicyLookup.covers(k, 1, 0, 2, 6, p)).count();
            assertEquals(p >= 32000 && p <= 32768 ? 1 : 0, covering, "port " + p);
        }
    }

    private static List<PolicyKey> range(int from, int to) {
        List<PolicyKey> out = new java.util.ArrayList<>();
        PolicyKey.portRange(1, 0, 2, 6, from, to, out::add);
        return out;
    }
}
