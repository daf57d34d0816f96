package dev.flows.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gate for tests that need the real kernel: root, a mounted bpffs and kernel BTF.
 *
 * <p>Without them such tests are skipped, unless FLOWS_REQUIRE_BPF=1 (set by CI), in which case
 * a missing capability fails the test: CI must never go green by skipping the kernel.
 */
public final class BpfGate {
    private BpfGate() {}

    /** Skips (or, with FLOWS_REQUIRE_BPF=1, fails) the calling test unless BPF can run here. */
    public static void require() {
        String missing = missing();
        if (missing == null) {
            return;
        }
        if ("1".equals(System.getenv("FLOWS_REQUIRE_BPF"))) {
            fail("FLOWS_REQUIRE_BPF=1 but " + missing);
        }
        assumeTrue(false, missing);
    }

    static String missing() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root (user " + System.getProperty("user.name") + ")";
        }
        if (!Files.isDirectory(Path.of("/sys/fs/bpf")) || !isBpffsMounted()) {
            return "bpffs is not mounted at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)";
        }
        if (!Files.exists(Path.of("/sys/kernel/btf/vmlinux"))) {
            return "the kernel has no BTF (/sys/kernel/btf/vmlinux)";
        }
        return null;
    }

    private static boolean isBpffsMounted() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .anyMatch(l -> l.split(" ")[1].equals("/sys/fs/bpf") && l.split(" ")[2].equals("bpf"));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
