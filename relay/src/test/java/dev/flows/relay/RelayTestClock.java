package dev.flows.relay;

import dev.flows.relay.api.RelayClock;

/** Wall time for fakes and assertions, the same the relay uses. */
final class RelayTestClock {
    private static final RelayClock SYSTEM = RelayClock.system();

    private RelayTestClock() {}

    static long wallNanos() {
        return SYSTEM.wallNanos();
    }
}
