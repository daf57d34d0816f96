package dev.flows.collector.datapath;

import dev.flows.collector.bpf.BpfConfig;
import dev.flows.collector.bpf.Datapath;
import dev.flows.collector.cluster.Pod;
import dev.flows.collector.cluster.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Time to program one more service (and to remove it again) into the real maps with 100 and with
 * 10,000 services already programmed, one service at a time ({@link ServiceProgrammer#update}, {@link ServiceProgrammer#remove}).
 * Not a test (needs root): run with
 * {@code java -cp ... dev.flows.collector.datapath.ServiceProgrammingBench [rounds]}.
 */
public final class ServiceProgrammingBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        for (int i = 0; i < 3; i++) {
            run(100, rounds); // warm-up: JIT and the kernel's map code paths
        }
        double[] small = run(100, rounds);
        double[] large = run(10_000, rounds);
        System.out.printf("add one service (2 backends): %.1f us with 100 programmed, %.1f us with 10000 (ratio %.2f)%n",
                small[0], large[0], large[0] / small[0]);
        System.out.printf("remove it again:              %.1f us with 100 programmed, %.1f us with 10000 (ratio %.2f)%n",
                small[1], large[1], large[1] / small[1]);
    }

    /** Median microseconds of {add, remove} over rounds, after programming n services. */
    static double[] run(int n, int rounds) throws Exception {
        Path pins = Files.createTempDirectory(Path.of("/sys/fs/bpf"), "flows-bench-");
        try (Datapath dp = Datapath.open(pins, 1 << 16, BpfConfig.DEFAULTS.withMode(BpfConfig.MODE_DATAPATH))) {
            ServiceProgrammer p = ServiceProgrammer.adopt(new LbMaps(dp), false);
            for (int i = 0; i < n; i++) {
                p.update(spec(i));
            }
            long[] add = new long[rounds];
            long[] remove = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                DesiredServices.ServiceSpec extra = spec(n + 1 + r);
                long t0 = System.nanoTime();
                ServiceProgrammer.Changes added = p.update(extra);
                long t1 = System.nanoTime();
                ServiceProgrammer.Changes removed = p.remove(extra.key());
                long t2 = System.nanoTime();
                if (added.frontendsWritten() != 1 || removed.frontendsRemoved() != 1) {
                    throw new IllegalStateException("round " + r + ": " + added + ", " + removed);
                }
                add[r] = t1 - t0;
                remove[r] = t2 - t1;
            }
            return new double[] {median(add) / 1000.0, median(remove) / 1000.0};
        } finally {
            Datapath.removePins(pins);
        }
    }

    private static DesiredServices.ServiceSpec spec(int i) {
        String app = "a" + i;
        Service svc = new Service("bench", "svc-" + i, "ClusterIP", "10.96." + (i >> 8 & 0xff) + "." + (i & 0xff),
                Map.of("app", app), List.of(new Service.Port("http", "TCP", 80, "8080", 0)));
        List<Pod> pods = List.of(
                new Pod("bench", app + "-0", Map.of("app", app), Map.of(), "n", "10.244.1." + (i % 250 + 1), List.of()),
                new Pod("bench", app + "-1", Map.of("app", app), Map.of(), "n", "10.244.2." + (i % 250 + 1), List.of()));
        return DesiredServices.of(svc, null, new DesiredServices.PodIndex(pods), 0, s -> {});
    }

    private static long median(long[] v) {
        long[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }
}
