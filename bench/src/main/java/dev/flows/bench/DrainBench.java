package dev.flows.bench;

import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.bpf.RingBufferReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stages 1 to 3: the kernel producer filling an empty ring, then the C reference reader and the
 * collector's reader each draining a full one. Every figure is the median of several rounds, each
 * round starting from an empty ring; the first rounds only warm up (JIT, connection table).
 */
final class DrainBench {
    static final String PROGRAM = "from_pod";
    private static final int LOOPBACK = 1;
    private static final int RECORD_HEADER = 8;
    /** Enough records through drain() for C2 to have compiled its loop, whatever the ring size. */
    private static final int WARMUP_EVENTS = 2_000_000;
    private static final Pattern DRAINED = Pattern.compile("drained (\\d+) events in (\\d+) ns");

    private final Datapath dp;
    private final RingBufferReader reader;
    private final Path ringread;
    private final byte[] frame = BenchFrames.udp4(0);
    private final int eventsPerFill;

    /** @param ringread the compiled bpf/bench/ringread.c, or null to skip stage 2 */
    DrainBench(Datapath dp, RingBufferReader reader, Path ringread) {
        this.dp = dp;
        this.reader = reader;
        this.ringread = ringread;
        this.eventsPerFill = dp.ringBytes() / recordBytes();
    }

    /** Figures of one run of the three stages. */
    record Results(StageResult producer, StageResult cReader, StageResult javaReader) {}

    /** Runs the rounds after untimed ones that read enough events for the JIT to compile the reader. */
    Results run(int rounds) throws IOException {
        int warmupRounds = Math.max(2, WARMUP_EVENTS / eventsPerFill);
        for (int i = 0; i < warmupRounds; i++) {
            fill(eventsPerFill);
            javaDrain();
        }
        if (ringread == null) {
            return rounds(rounds, null);
        }
        try (CReader c = new CReader(ringread, dp.pinDir().resolve("events"))) {
            for (int i = 0; i < 2; i++) { // C needs no JIT, only its mapping faulted in
                fill(eventsPerFill);
                c.drain();
            }
            return rounds(rounds, c);
        }
    }

    /** Rounds of fill + C drain (unless c is null) and fill + Java drain, each stage's median. */
    private Results rounds(int rounds, CReader c) throws IOException {
        List<StageResult> produced = new ArrayList<>(), cRounds = new ArrayList<>(), java = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            if (c != null) {
                produced.add(fill(eventsPerFill));
                cRounds.add(c.drain());
                reader.drain(new CountingHandler()); // whatever a short C drain left behind
            }
            produced.add(fill(eventsPerFill));
            java.add(javaDrain());
        }
        StageResult cResult = c == null
                ? StageResult.skipped("C reader", "skipped: ringread not built (gcc, libbpf-dev)") : median(cRounds);
        return new Results(median(produced), cResult, median(java));
    }

    /**
     * The producer alone, {@code events} per round (at most a ring's worth), the ring drained
     * between rounds: for configurations too slow to fill a whole ring in the time we have.
     */
    StageResult producerOnly(int rounds, int events) {
        int n = Math.min(events, eventsPerFill);
        List<StageResult> produced = new ArrayList<>();
        fill(n);
        reader.drain(new CountingHandler());
        for (int i = 0; i < rounds; i++) {
            produced.add(fill(n));
            reader.drain(new CountingHandler());
        }
        return median(produced);
    }

    /** The ring's record size for our event, learnt from one real event (header and padding included). */
    private int recordBytes() {
        dp.testRun(PROGRAM, frame, LOOPBACK);
        CountingHandler one = new CountingHandler();
        reader.drain(one);
        if (one.count == 0) {
            throw new IllegalStateException(PROGRAM + " emitted no event: is the aggregation level none?");
        }
        return (one.lastLength + RECORD_HEADER + 7) & ~7;
    }

    /** Stage 1: one BPF_PROG_TEST_RUN call looping in the kernel; a whole ring's worth fills it exactly. */
    private StageResult fill(int events) {
        long lost = reader.kernelLost();
        long start = System.nanoTime();
        dp.testRun(PROGRAM, frame, LOOPBACK, events);
        long nanos = System.nanoTime() - start;
        return new StageResult("producer", events, nanos, reader.kernelLost() - lost, "");
    }

    /**
     * Stage 2: bpf/bench/ringread.c in --drain mode, one process for all rounds so its mapping of
     * the ring stays faulted in like the Java reader's. It times only its ring_buffer__consume.
     */
    private final class CReader implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final Writer in;

        CReader(Path ringread, Path pin) throws IOException {
            process = new ProcessBuilder(ringread.toString(), "--drain", pin.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        StageResult drain() throws IOException {
            in.write("drain\n");
            in.flush();
            String line = out.readLine();
            Matcher m = line == null ? null : DRAINED.matcher(line);
            if (m == null || !m.matches()) {
                throw new IOException(ringread + " --drain answered " + (line == null ? "nothing (exited?)" : line));
            }
            long drained = Long.parseLong(m.group(1));
            return new StageResult("C reader", drained, Long.parseLong(m.group(2)), eventsPerFill - drained, "");
        }

        @Override
        public void close() throws IOException {
            in.close(); // end of input: ringread exits
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stage 3: the collector's mapped reader with a handler that only counts. */
    private StageResult javaDrain() {
        CountingHandler counter = new CountingHandler();
        long start = System.nanoTime();
        reader.drain(counter);
        long nanos = System.nanoTime() - start;
        return new StageResult("Java reader", counter.count, nanos, eventsPerFill - counter.count, "");
    }

    /** The round of median speed, with the losses of all rounds: a loss in any round must show. */
    static StageResult median(List<StageResult> rounds) {
        List<StageResult> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(StageResult::nsPerEvent));
        StageResult m = sorted.get(sorted.size() / 2);
        long lost = rounds.stream().mapToLong(StageResult::lost).sum();
        return new StageResult(m.stage(), m.events(), m.nanos(), lost,
                "median of " + rounds.size() + " rounds of " + m.events());
    }
}
