package dev.flows.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The nat table kube-proxy's iptables mode would write for {@link BenchNetwork#cluster}'s
 * services, as {@code iptables-restore} input: PREROUTING and OUTPUT jump to KUBE-SERVICES, which
 * holds one rule per service port in service order (the last service is matched last); each
 * jumps to its KUBE-SVC chain, which picks a KUBE-SEP chain per endpoint with statistic-mode
 * random rules; each KUBE-SEP chain DNATs to its endpoint. Left out, as they do not touch this
 * path: the masquerade marks (the client is a pod) and the NodePort chains.
 */
final class KubeProxyRules {
    private KubeProxyRules() {}

    /** How many rules {@link #write} writes. */
    static int rules(int services, int endpoints) {
        return 2 + services * (1 + 2 * endpoints);
    }

    /** Writes the rules for {@code services} services, all backed by {@code endpoints} (ip:port). */
    static Path write(int services, List<String> endpoints) throws IOException {
        Path file = Files.createTempFile("flows-bench-iptables-", ".rules");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("*nat");
            for (String builtin : List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")) {
                w.println(":" + builtin + " ACCEPT [0:0]");
            }
            w.println(":KUBE-SERVICES - [0:0]");
            for (int i = 0; i < services; i++) {
                w.println(":" + svcChain(i) + " - [0:0]");
                for (int e = 0; e < endpoints.size(); e++) {
                    w.println(":" + sepChain(i, e) + " - [0:0]");
                }
            }
            w.println("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
            w.println("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
            for (int i = 0; i < services; i++) {
                w.printf("-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment \"bench/svc-%d:http cluster IP\" -m tcp --dport 80 -j %s%n",
                        BenchNetwork.serviceIP(i), i, svcChain(i));
            }
            for (int i = 0; i < services; i++) {
                for (int e = 0; e < endpoints.size(); e++) {
                    int left = endpoints.size() - e;
                    String pick = left == 1 ? "" : String.format(Locale.ROOT, "-m statistic --mode random --probability %.11f ", 1.0 / left);
                    w.printf("-A %s -m comment --comment \"bench/svc-%d:http -> %s\" %s-j %s%n", svcChain(i), i, endpoints.get(e), pick,
                            sepChain(i, e));
                    w.printf("-A %s -p tcp -m comment --comment \"bench/svc-%d:http\" -m tcp -j DNAT --to-destination %s%n",
                            sepChain(i, e), i, endpoints.get(e));
                }
            }
            w.println("COMMIT");
        }
        return file;
    }

    // kube-proxy names chains by a hash of the service port (and endpoint); any unique 16 characters do here
    private static String svcChain(int i) {
        return String.format("KUBE-SVC-%016X", mix(i));
    }

    private static String sepChain(int i, int e) {
        return String.format("KUBE-SEP-%016X", mix(i * 31L + e + 1));
    }

    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }
}
