package dev.flows.bench;

import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.RingBufferReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Stage 4: the producer at full speed on its own thread while the collector's reader drains every
 * millisecond on this one, as the collector does with a wakeup watermark it rarely reaches. The
 * ring is the collector's default size, so "keeps up" holds for the shipped configuration.
 */
final class LiveBench {
    private LiveBench() {}

    /** Runs per BPF_PROG_TEST_RUN call: ~10 ms of producing at 10 M/s, so stopping is prompt. */
    private static final int CHUNK = 100_000;
    private static final long DRAIN_EVERY_NANOS = 1_000_000;

    /** @param label names the configuration in the verdict line */
    static StageResult run(String label, Datapath dp, RingBufferReader reader, Duration length) throws InterruptedException {
        byte[] frame = BenchFrames.udp4(1);
        reader.drain(new CountingHandler());
        long lostBefore = reader.kernelLost();
        AtomicLong produced = new AtomicLong();
        long deadline = System.nanoTime() + length.toNanos();
        Thread producer = new Thread(() -> {
            while (System.nanoTime() < deadline) {
                dp.testRun(DrainBench.PROGRAM, frame, 1, CHUNK);
                produced.addAndGet(CHUNK);
            }
        }, "bench-producer");

        CountingHandler read = new CountingHandler();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        producer.start();
        while (producer.isAlive()) {
            reader.drain(read);
            LockSupport.parkNanos(DRAIN_EVERY_NANOS);
        }
        producer.join();
        reader.drain(read); // what the last chunk left
        long nanos = System.nanoTime() - start;
        double cpuShare = (threads.getCurrentThreadCpuTime() - cpuStart) / (double) nanos;

        long lost = reader.kernelLost() - lostBefore;
        long unaccounted = produced.get() - read.count - lost;
        return new StageResult(label, read.count, nanos, lost, String.format(
                "produced %,d, read %,d, lost in kernel %,d%s; reader thread %.0f%% of a core",
                produced.get(), read.count, lost, unaccounted == 0 ? "" : ", UNACCOUNTED " + unaccounted,
                100 * cpuShare));
    }
}
