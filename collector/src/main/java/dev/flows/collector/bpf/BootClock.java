package dev.flows.collector.bpf;

import jnr.ffi.Pointer;

/** CLOCK_BOOTTIME, the clock of the events' ts_ns (bpf_ktime_get_boot_ns), for converting to wall time. */
public final class BootClock {
    private BootClock() {}

    /** Nanoseconds since boot, suspend included. */
    public static long nanos() {
        Pointer ts = Native.alloc(16);
        Native.check(Native.c().clock_gettime(LibC.CLOCK_BOOTTIME, ts) == 0 ? 0 : -Native.errno(), "clock_gettime");
        return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
    }
}
