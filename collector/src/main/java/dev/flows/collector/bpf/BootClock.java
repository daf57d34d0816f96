package dev.flows.collector.bpf;

import jnr.ffi.Pointer;

/** CLOCK_BOOTTIME, the clock of the events' ts_ns (bpf_ktime_get_boot_ns), for converting to wall time. */
public final class BootClock {
    private BootClock() {}

    /** Nanoseconds since boot, suspend included. */
    public static long nanos() {
        Pointer ts = Native.alloc(16);
        if (Native.c().clock_gettime(LibC.CLOCK_BOOTTIME, ts) != 0) {
            throw new BpfException("clock_gettime(CLOCK_BOOTTIME): " + Native.strerror(Native.errno()), Native.errno());
        }
        return ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
    }
}
