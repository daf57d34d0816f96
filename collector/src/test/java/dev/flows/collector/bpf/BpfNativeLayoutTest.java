package dev.flows.collector.bpf;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * NativeLayout against the C compiler: builds bpf/probe/native_layout.c with gcc against the
 * installed libbpf and kernel headers and compares every size, offset and enum value we fill from Java.
 */
class BpfNativeLayoutTest {
    @Test
    void javaLayoutsMatchTheCHeaders() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")) && Files.exists(Path.of("/usr/include/bpf/libbpf.h"))
                || "1".equals(System.getenv("FLOWS_REQUIRE_BPF")), "gcc or libbpf headers missing");
        Path source = Path.of(System.getenv().getOrDefault("FLOWS_HOME", "..")).resolve("bpf/probe/native_layout.c");
        Path dir = Files.createTempDirectory("flows-layout");
        Path exe = dir.resolve("native_layout");
        try {
            run("gcc", "-o", exe.toString(), source.toString());
            Map<String, Integer> c = new HashMap<>();
            for (String line : run(exe.toString()).split("\n")) {
                String[] parts = line.split(" ");
                c.put(parts[1], Integer.parseInt(parts[2]));
            }
            Map<String, Integer> java = Map.ofEntries(
                    Map.entry("bpf_object_open_opts", NativeLayout.OPEN_OPTS_SIZE),
                    Map.entry("bpf_object_open_opts.object_name", NativeLayout.OPEN_OPTS_OBJECT_NAME),
                    Map.entry("bpf_tc_hook", NativeLayout.TC_HOOK_SIZE),
                    Map.entry("bpf_tc_hook.ifindex", NativeLayout.TC_HOOK_IFINDEX),
                    Map.entry("bpf_tc_hook.attach_point", NativeLayout.TC_HOOK_ATTACH_POINT),
                    Map.entry("bpf_tc_hook.parent", NativeLayout.TC_HOOK_PARENT),
                    Map.entry("bpf_tc_opts", NativeLayout.TC_OPTS_SIZE),
                    Map.entry("bpf_tc_opts.prog_fd", NativeLayout.TC_OPTS_PROG_FD),
                    Map.entry("bpf_tc_opts.flags", NativeLayout.TC_OPTS_FLAGS),
                    Map.entry("bpf_tc_opts.prog_id", NativeLayout.TC_OPTS_PROG_ID),
                    Map.entry("bpf_tc_opts.handle", NativeLayout.TC_OPTS_HANDLE),
                    Map.entry("bpf_tc_opts.priority", NativeLayout.TC_OPTS_PRIORITY),
                    Map.entry("bpf_test_run_opts", NativeLayout.TEST_RUN_OPTS_SIZE),
                    Map.entry("bpf_test_run_opts.data_in", NativeLayout.TEST_RUN_DATA_IN),
                    Map.entry("bpf_test_run_opts.data_size_in", NativeLayout.TEST_RUN_DATA_SIZE_IN),
                    Map.entry("bpf_test_run_opts.data_out", NativeLayout.TEST_RUN_DATA_OUT),
                    Map.entry("bpf_test_run_opts.data_size_out", NativeLayout.TEST_RUN_DATA_SIZE_OUT),
                    Map.entry("bpf_test_run_opts.ctx_in", NativeLayout.TEST_RUN_CTX_IN),
                    Map.entry("bpf_test_run_opts.ctx_size_in", NativeLayout.TEST_RUN_CTX_SIZE_IN),
                    Map.entry("bpf_test_run_opts.retval", NativeLayout.TEST_RUN_RETVAL),
                    Map.entry("bpf_test_run_opts.repeat", NativeLayout.TEST_RUN_REPEAT),
                    Map.entry("__sk_buff", NativeLayout.SK_BUFF_SIZE),
                    Map.entry("__sk_buff.ifindex", NativeLayout.SK_BUFF_IFINDEX),
                    Map.entry("epoll_event", NativeLayout.EPOLL_EVENT_SIZE),
                    Map.entry("epoll_event.data", NativeLayout.EPOLL_EVENT_DATA),
                    Map.entry("bpf_map_info", NativeLayout.MAP_INFO_SIZE),
                    Map.entry("bpf_map_info.type", NativeLayout.MAP_INFO_TYPE),
                    Map.entry("bpf_map_info.key_size", NativeLayout.MAP_INFO_KEY_SIZE),
                    Map.entry("bpf_map_info.value_size", NativeLayout.MAP_INFO_VALUE_SIZE),
                    Map.entry("bpf_map_info.max_entries", NativeLayout.MAP_INFO_MAX_ENTRIES),
                    Map.entry("bpf_map_info.map_flags", NativeLayout.MAP_INFO_MAP_FLAGS),
                    Map.entry("BPF_MAP_TYPE_HASH", NativeLayout.BPF_MAP_TYPE_HASH),
                    Map.entry("BPF_MAP_TYPE_ARRAY", NativeLayout.BPF_MAP_TYPE_ARRAY),
                    Map.entry("BPF_MAP_TYPE_LRU_HASH", NativeLayout.BPF_MAP_TYPE_LRU_HASH),
                    Map.entry("BPF_ANY", NativeLayout.BPF_ANY),
                    Map.entry("BPF_NOEXIST", NativeLayout.BPF_NOEXIST),
                    Map.entry("BPF_TC_INGRESS", NativeLayout.BPF_TC_INGRESS),
                    Map.entry("BPF_TC_EGRESS", NativeLayout.BPF_TC_EGRESS),
                    Map.entry("BPF_TC_F_REPLACE", NativeLayout.BPF_TC_F_REPLACE));
            assertEquals(new java.util.TreeMap<>(c), new java.util.TreeMap<>(java));
        } finally {
            Files.deleteIfExists(exe);
            Files.deleteIfExists(dir);
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
