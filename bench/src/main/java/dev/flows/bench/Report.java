package dev.flows.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Prints the bench's figures side by side, with ratios to the kernel producer and the C reader. */
final class Report {
    private Report() {}

    /** Java reader drain over C reader drain that the collector aims at. */
    static final double JAVA_OVER_C_TARGET = 0.25;

    /** JVM, kernel, CPU and load: the figures mean little without them. */
    static String systemLine() {
        String cpu = firstLine(Path.of("/proc/cpuinfo"), "model name").replaceFirst("^model name\\s*:\\s*", "");
        String[] avg = firstLine(Path.of("/proc/loadavg"), "").split(" ");
        String load = avg.length >= 3 ? avg[0] + " " + avg[1] + " " + avg[2] : "?";
        return String.format("JVM %s %s (%s) | kernel %s | CPU %s x %d | load %s",
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("os.version"), cpu,
                Runtime.getRuntime().availableProcessors(), load);
    }

    private static String firstLine(Path file, String prefix) {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static void print(PrintStream out, List<String> labels, List<StageResult> rows, StageResult producer, StageResult cReader) {
        String header = String.format("%-48s %12s %8s %10s %9s %8s %8s", "stage", "events", "lost", "M ev/s",
                "ns/event", "x prod", "x C");
        out.println(header);
        out.println("-".repeat(header.length()));
        for (int i = 0; i < rows.size(); i++) {
            StageResult r = rows.get(i);
            if (!r.ran()) {
                out.printf("%-48s %s%n", labels.get(i), r.note());
                continue;
            }
            out.println(String.format(Locale.ROOT, "%-48s %,12d %,8d %10.1f %9.1f %8s %8s", labels.get(i), r.events(),
                    r.lost(), r.perSecond() / 1e6, r.nsPerEvent(), ratio(r, producer), ratio(r, cReader)));
            if (!r.note().isEmpty()) {
                out.printf("%-48s   %s%n", "", r.note());
            }
        }
    }

    private static String ratio(StageResult r, StageResult base) {
        return base.ran() ? String.format(Locale.ROOT, "%.2f", r.perSecond() / base.perSecond()) : "-";
    }

    /** The reader target, with a plain verdict. */
    static void readerVerdict(PrintStream out, StageResult cReader, StageResult javaReader) {
        if (cReader.ran()) {
            double ratio = javaReader.perSecond() / cReader.perSecond();
            out.printf(Locale.ROOT, "Java reader / C reader: %.2fx (target >= %.2fx): %s%n", ratio, JAVA_OVER_C_TARGET,
                    ratio >= JAVA_OVER_C_TARGET ? "met" : "MISSED");
        }
    }

    /** The live target; says how fast the producer could go, since a slowed producer is easy to keep up with. */
    static void liveVerdict(PrintStream out, StageResult live, StageResult producer) {
        boolean keptUp = live.lost() == 0 && !live.note().contains("UNACCOUNTED");
        out.printf(Locale.ROOT, "%s: %s, producer at %.2fx its no-wakeup ceiling%n", live.stage(),
                keptUp ? "kept up, zero loss" : "DID NOT keep up (" + live.note() + ")",
                live.perSecond() / producer.perSecond());
    }
}
