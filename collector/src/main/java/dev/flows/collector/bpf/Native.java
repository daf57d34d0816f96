package dev.flows.collector.bpf;

import java.util.logging.Level;
import java.util.logging.Logger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The process-wide native library handles, loaded once on first use, and small helpers around
 * them. libbpf's messages go to java.util.logging (logger {@code dev.flows.collector.bpf.libbpf}).
 */
final class Native {
    private Native() {}

    private static final Logger LIBBPF_LOG = Logger.getLogger("dev.flows.collector.bpf.libbpf");

    /** Lazy holder: loading happens when a datapath is first used, not when the class is. */
    private static final class Holder {
        static final LibBpf BPF = LibBpf.load();
        static final LibC C = LibC.load();
        static final Runtime RUNTIME = Runtime.getRuntime(BPF);
        /** Held here for the process lifetime: jnr keeps callbacks only weakly. */
        static final LibBpf.PrintFn PRINT = Native::print;

        static {
            BPF.libbpf_set_print(PRINT);
        }
    }

    static LibBpf bpf() {
        return Holder.BPF;
    }

    static LibC c() {
        return Holder.C;
    }

    static Runtime runtime() {
        return Holder.RUNTIME;
    }

    /** Zeroed native memory, freed when the returned Pointer is collected: keep it referenced. */
    static Pointer alloc(int size) {
        return Memory.allocateDirect(Holder.RUNTIME, size, true);
    }

    static int pageSize() {
        return (int) Holder.C.sysconf(LibC.SC_PAGESIZE);
    }

    static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    static String strerror(int errno) {
        return Holder.C.strerror(errno) + " (errno " + errno + ")";
    }

    /** Throws when a libbpf int function failed (returned -errno); returns the value otherwise. */
    static int check(int ret, String what) {
        if (ret < 0) {
            throw new BpfException(what + ": " + strerror(-ret), -ret);
        }
        return ret;
    }

    private static int print(int level, Pointer format, Pointer args) {
        Level jul = switch (level) {
            case 0 -> Level.WARNING;
            case 1 -> Level.FINE;
            default -> Level.FINEST;
        };
        if (!LIBBPF_LOG.isLoggable(jul)) {
            return 0;
        }
        Pointer buf = alloc(1024);
        Holder.C.vsnprintf(buf, 1024, format, args);
        String message = buf.getString(0).stripTrailing();
        if (message.contains("Exclusivity flag on")) {
            // the kernel's answer when bpf_tc_hook_create finds a clsact qdisc: normal for us
            if (!LIBBPF_LOG.isLoggable(Level.FINE)) {
                return 0;
            }
            jul = Level.FINE;
        }
        LIBBPF_LOG.log(jul, message);
        return 0;
    }
}
