package dev.flows.collector.decode;

import dev.flows.collector.bpf.CLayout;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flows.collector.bpf.BpfConfig;
import dev.flows.collector.bpf.MapLayout;
import dev.flows.collector.bpf.ServiceOptionCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Java twins of bpf/include/flows_event.h and config.h against the BTF of every compiled
 * object: a layout change on one side only fails here, not as garbage flows in production.
 */
class EventLayoutBtfTest {
    private static final Path OBJECTS = Path.of("target/classes/bpf");

    @TestFactory
    Stream<DynamicTest> everyObjectAgreesWithTheJavaTwins() throws IOException {
        assumeTrue(Files.exists(Path.of("/usr/sbin/bpftool")) || Files.exists(Path.of("/usr/bin/bpftool"))
                || "1".equals(System.getenv("FLOWS_REQUIRE_BPF")), "bpftool is not installed");
        List<Path> objects;
        try (Stream<Path> s = Files.list(OBJECTS)) {
            objects = s.filter(p -> p.toString().endsWith(".bpf.o")).sorted().toList();
        }
        assertFalse(objects.isEmpty(), "no BPF objects in " + OBJECTS + ": bpf/build.sh did not run");
        return objects.stream().flatMap(o -> {
            String n = o.getFileName().toString();
            return Stream.of(
                    DynamicTest.dynamicTest(n + ": event structs", () -> layout(Btf.dump(o), EventLayout.STRUCTS, EventLayout.FIELDS)),
                    DynamicTest.dynamicTest(n + ": map structs", () -> layout(Btf.dump(o), MapLayout.STRUCTS, MapLayout.FIELDS)),
                    DynamicTest.dynamicTest(n + ": flows_config", () -> configLayout(Btf.dump(o))),
                    DynamicTest.dynamicTest(n + ": flows_cfg alone at .rodata offset 0", () -> rodata(o, Btf.dump(o))),
                    DynamicTest.dynamicTest(n + ": aggregation level enum", () -> aggregationLevels(Btf.dump(o))),
                    DynamicTest.dynamicTest(n + ": service option counters", () -> serviceOptionCounters(n, Btf.dump(o))));
        });
    }

    private static void layout(Btf btf, List<CLayout.Struct> structs, List<CLayout.Field> fields) {
        for (CLayout.Struct s : structs) {
            assertEquals(btf.structSize(s.name()), s.size(), "sizeof(struct " + s.name() + ")");
        }
        for (CLayout.Field f : fields) {
            int[] member = btf.members(f.struct()).get(f.name());
            assertNotNull(member, "struct " + f.struct() + " has no member " + f.name());
            assertEquals(member[0], f.offset(), "offsetof(" + f.struct() + ", " + f.name() + ")");
            assertEquals(member[1], f.size(), "sizeof(" + f.struct() + "." + f.name() + ")");
        }
    }

    private static void configLayout(Btf btf) {
        assertEquals(btf.structSize("flows_config"), BpfConfig.SIZE, "sizeof(struct flows_config)");
        Map<String, int[]> m = btf.members("flows_config");
        assertEquals(List.of(BpfConfig.OFF_AGGREGATION_INTERVAL_NS, 8), List.of(m.get("aggregation_interval_ns")[0], m.get("aggregation_interval_ns")[1]));
        assertEquals(List.of(BpfConfig.OFF_AGGREGATION_LEVEL, 4), List.of(m.get("aggregation_level")[0], m.get("aggregation_level")[1]));
        assertEquals(List.of(BpfConfig.OFF_WAKEUP_BYTES, 4), List.of(m.get("wakeup_bytes")[0], m.get("wakeup_bytes")[1]));
        Map<String, Integer> u32 = Map.of("mode", BpfConfig.OFF_MODE, "node_ip", BpfConfig.OFF_NODE_IP,
                "node_pod_cidr", BpfConfig.OFF_NODE_POD_CIDR, "node_pod_mask", BpfConfig.OFF_NODE_POD_MASK,
                "cluster_cidr", BpfConfig.OFF_CLUSTER_CIDR, "cluster_mask", BpfConfig.OFF_CLUSTER_MASK,
                "node_net_cidr", BpfConfig.OFF_NODE_NET_CIDR, "node_net_mask", BpfConfig.OFF_NODE_NET_MASK);
        u32.forEach((name, off) -> assertEquals(List.of(off, 4), List.of(m.get(name)[0], m.get(name)[1]), name));
        Map<String, Integer> u64 = Map.of("ct_syn_ns", BpfConfig.OFF_CT_SYN_NS, "ct_tcp_ns", BpfConfig.OFF_CT_TCP_NS,
                "ct_other_ns", BpfConfig.OFF_CT_OTHER_NS, "ct_close_ns", BpfConfig.OFF_CT_CLOSE_NS);
        u64.forEach((name, off) -> assertEquals(List.of(off, 8), List.of(m.get(name)[0], m.get(name)[1]), name));
        assertEquals(3 + u32.size() + u64.size(), m.size(), "a field added to flows_config needs its Java twin in BpfConfig");
    }

    /** The collector writes BpfConfig at .rodata offset 0: nothing else may live there. */
    private static void rodata(Path object, Btf btf) throws IOException, InterruptedException {
        Map<String, int[]> vars = btf.sectionVars(".rodata");
        assertEquals(List.of("flows_cfg"), List.copyOf(vars.keySet()), ".rodata variables");
        // BTF offsets in an unlinked object are not final; the ELF symbol is.
        Process p = new ProcessBuilder("readelf", "-sW", object.toString()).redirectErrorStream(true).start();
        String symbols = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        String line = symbols.lines().filter(l -> l.endsWith(" flows_cfg")).findFirst().orElseThrow();
        String[] cols = line.trim().split("\\s+");
        assertEquals(0L, Long.parseLong(cols[1], 16), "flows_cfg address in .rodata: " + line);
        assertEquals(String.valueOf(BpfConfig.SIZE), cols[2], "flows_cfg size: " + line);
    }

    /** Only uplink.bpf.o carries the option (svcopt.h); its counter slots are ServiceOptionCounters'. */
    private static void serviceOptionCounters(String object, Btf btf) {
        if (!object.equals("uplink.bpf.o")) {
            return;
        }
        assertEquals(Map.of("SVCOPT_ADDED", (long) ServiceOptionCounters.ADDED, "SVCOPT_NO_ROOM", (long) ServiceOptionCounters.NO_ROOM,
                "SVCOPT_NAMED", (long) ServiceOptionCounters.NAMED, "SVCOPT_UNKNOWN_SERVICE", (long) ServiceOptionCounters.UNKNOWN_SERVICE,
                "SVCOPT_MALFORMED", (long) ServiceOptionCounters.MALFORMED, "SVCOPT_FOREIGN", (long) ServiceOptionCounters.FOREIGN,
                "SVCOPT_COUNTERS", (long) ServiceOptionCounters.SLOTS), btf.enumValues("svcopt_counter"));
    }

    private static void aggregationLevels(Btf btf) {
        assertEquals(Map.of("AGG_NONE", (long) BpfConfig.AGG_NONE, "AGG_CONNECTION", (long) BpfConfig.AGG_CONNECTION),
                btf.enumValues("flows_aggregation_level"));
        assertEquals(Map.of("MODE_OBSERVE", (long) BpfConfig.MODE_OBSERVE, "MODE_DATAPATH", (long) BpfConfig.MODE_DATAPATH),
                btf.enumValues("flows_mode"));
        assertEquals(Map.of("CT_F_SERVICE", (long) MapLayout.CT_F_SERVICE, "CT_F_DNAT", (long) MapLayout.CT_F_DNAT,
                "CT_F_EGRESS_ALLOWED", (long) MapLayout.CT_F_EGRESS_ALLOWED, "CT_F_EGRESS_DENIED", (long) MapLayout.CT_F_EGRESS_DENIED,
                "CT_F_INGRESS_ALLOWED", (long) MapLayout.CT_F_INGRESS_ALLOWED, "CT_F_INGRESS_DENIED", (long) MapLayout.CT_F_INGRESS_DENIED),
                btf.enumValues("ct_flags"));
        assertEquals(Map.of("LB_F_NODEPORT", (long) MapLayout.LB_F_NODEPORT, "LB_F_MAGLEV", (long) MapLayout.LB_F_MAGLEV),
                btf.enumValues("lb_flags"));
        assertEquals(Map.of("XLATE_DNAT", (long) EventLayout.XLATE_DNAT, "XLATE_SNAT", (long) EventLayout.XLATE_SNAT,
                "XLATE_REV_DNAT", (long) EventLayout.XLATE_REV_DNAT, "XLATE_REV_SNAT", (long) EventLayout.XLATE_REV_SNAT),
                btf.enumValues("flows_xlate"));
        assertEquals(Map.of("POLICY_ACTION_DENY", 0L, "POLICY_ACTION_ALLOW", (long) EventLayout.POLICY_ACTION_ALLOW,
                "POLICY_ACTION_AUDIT", (long) EventLayout.POLICY_ACTION_AUDIT),
                btf.enumValues("flows_policy_action"));
    }
}
