package dev.flows.collector.bpf;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique pin directories for tests, so runs and classes never share maps. */
final class TestPins {
    private TestPins() {}

    private static final AtomicInteger NEXT = new AtomicInteger();

    static Path newDir() {
        return Datapath.PIN_ROOT.resolve("test-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
    }
}
