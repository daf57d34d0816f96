package dev.flows.bench;

import dev.flows.collector.bpf.BpfConfig;
import dev.flows.collector.bpf.Datapath;
import dev.flows.cluster.Pod;
import dev.flows.cluster.Service;
import dev.flows.collector.datapath.DesiredServices;
import dev.flows.collector.datapath.LbMaps;
import dev.flows.collector.datapath.ServiceProgrammer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Time to program one more service, and one more endpoint of an existing service, into the real
 * pinned maps ({@link ServiceProgrammer#update}, one service at a time), with 100 and with 10,000
 * services already programmed; and to remove the service again. Needs root (real BPF maps).
 */
final class ServiceProgrammingBench {
    private static final int ROUNDS = 1001;

    private final PrintStream out;
    private final Path pins;

    /** @param pins a directory of the bench's own under the bpffs, removed by the caller */
    ServiceProgrammingBench(PrintStream out, Path pins) {
        this.out = out;
        this.pins = pins;
    }

    void run() {
        out.println("service programming (ServiceProgrammer.update into the pinned maps, median of " + ROUNDS + ", one thread)");
        measure(100, "warm-up"); // JIT and the kernel's map code paths; measured again below, under equal terms
        Result large = measure(10_000, "large");
        Result small = measure(100, "small");
        row("add one service", small.serviceNs, large.serviceNs, "1 frontend, 2 backends");
        row("add one endpoint", small.endpointNs, large.endpointNs, "a 3rd backend of an existing service");
        row("remove a service", small.removeNs, large.removeNs, "the one just added");
    }

    private void row(String what, double small, double large, String detail) {
        out.printf("  %-16s %9.1f us at 100   %9.1f us at 10,000   (x%.2f; %s)%n", what, small / 1000, large / 1000, large / small, detail);
    }

    private record Result(double serviceNs, double endpointNs, double removeNs) {}

    private Result measure(int n, String name) {
        Path dir = pins.resolve("services-" + name);
        try (Datapath dp = Datapath.open(dir, 1 << 16, BpfConfig.DEFAULTS.withMode(BpfConfig.MODE_DATAPATH))) {
            ServiceProgrammer p = ServiceProgrammer.adopt(new LbMaps(dp), false);
            for (int i = 0; i < n; i++) {
                p.update(spec(i, 2));
            }
            long[] add = new long[ROUNDS];
            long[] remove = new long[ROUNDS];
            long[] endpoint = new long[ROUNDS];
            DesiredServices.ServiceSpec existing = spec(n / 2, 2);
            DesiredServices.ServiceSpec grown = spec(n / 2, 3);
            for (int r = 0; r < ROUNDS; r++) {
                DesiredServices.ServiceSpec extra = spec(n + 1 + r, 2);
                long t0 = System.nanoTime();
                ServiceProgrammer.Changes added = p.update(extra);
                long t1 = System.nanoTime();
                ServiceProgrammer.Changes removed = p.remove(extra.key());
                long t2 = System.nanoTime();
                ServiceProgrammer.Changes more = p.update(grown);
                long t3 = System.nanoTime();
                p.update(existing);
                if (added.frontendsWritten() != 1 || removed.frontendsRemoved() != 1 || more.frontendsWritten() != 1) {
                    throw new IllegalStateException("round " + r + ": " + added + ", " + removed + ", " + more
                            + ": the bench would measure something else than one service");
                }
                add[r] = t1 - t0;
                remove[r] = t2 - t1;
                endpoint[r] = t3 - t2;
            }
            return new Result(median(add), median(endpoint), median(remove));
        } finally {
            Datapath.removePins(dir);
        }
    }

    /** Service i: one TCP port, {@code backends} pods selected by its own app label. */
    private static DesiredServices.ServiceSpec spec(int i, int backends) {
        String app = "a" + i;
        Service svc = new Service("bench", "svc-" + i, "ClusterIP", "10.96." + (i >> 8 & 0xff) + "." + (i & 0xff),
                Map.of("app", app), List.of(new Service.Port("http", "TCP", 80, "8080", 0)));
        List<Pod> pods = new ArrayList<>();
        for (int b = 0; b < backends; b++) {
            pods.add(new Pod("bench", app + "-" + b, Map.of("app", app), Map.of(), "n", "10.244." + (b + 1) + "." + (i % 250 + 1), List.of()));
        }
        return DesiredServices.of(svc, null, new DesiredServices.PodIndex(pods), 0, s -> {});
    }

    private static double median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
