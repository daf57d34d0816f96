package dev.flows.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The iptables side of the datapath bench is only fair if it is what kube-proxy would write, with the measured service last. */
class KubeProxyRulesTest {
    private static final List<String> ENDPOINTS = List.of("10.244.2.10:8080", "10.244.2.11:8080");

    @Test
    void oneRulePerServiceInServiceOrderEachPickingAnEndpointAtRandom() throws Exception {
        Path file = KubeProxyRules.write(10, ENDPOINTS);
        try {
            List<String> lines = Files.readAllLines(file);
            List<String> rules = lines.stream().filter(l -> l.startsWith("-A ")).toList();
            assertEquals(KubeProxyRules.rules(10, 2), rules.size());
            assertEquals(List.of("*nat", "COMMIT"), List.of(lines.get(0), lines.get(lines.size() - 1)));

            List<String> services = rules.stream().filter(l -> l.startsWith("-A KUBE-SERVICES ")).toList();
            assertEquals(10, services.size());
            String last = services.get(9);
            assertTrue(last.contains("-d " + BenchNetwork.lastService(10) + "/32 ") && last.contains("--dport 80 "), last);

            String svcChain = last.substring(last.lastIndexOf("-j ") + 3);
            List<String> picks = rules.stream().filter(l -> l.startsWith("-A " + svcChain + " ")).toList();
            assertEquals(2, picks.size());
            assertTrue(picks.get(0).contains("-m statistic --mode random --probability 0.50000000000 "), picks.get(0));
            assertTrue(!picks.get(1).contains("statistic"), picks.get(1));

            for (int e = 0; e < 2; e++) {
                String sep = picks.get(e).substring(picks.get(e).lastIndexOf("-j ") + 3);
                String dnat = rules.stream().filter(l -> l.startsWith("-A " + sep + " ")).findFirst().orElseThrow();
                assertTrue(dnat.endsWith("-j DNAT --to-destination " + ENDPOINTS.get(e)), dnat);
            }
            assertEquals(1 + 10 + 20, lines.stream().filter(l -> l.startsWith(":KUBE-")).count(), "chains declared");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
