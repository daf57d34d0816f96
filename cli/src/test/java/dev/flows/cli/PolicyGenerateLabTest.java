package dev.flows.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.YamlClusterLoader;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Verdict;
import dev.flows.proto.observer.GetFlowsResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's round trip on the default lab: generate policies from what flowed, apply them beside
 * the lab's own through the watched cluster folder, and nothing that flowed before is dropped
 * after (the one connection the lab's own policy denies stays denied, and nothing else joins it).
 */
@Tag("lab")
class PolicyGenerateLabTest {
    @Test
    void generatedPoliciesAppliedToTheLabDropNothingThatFlowed() throws Exception {
        Path cluster = Files.createTempDirectory("flows-gen-cluster");
        Files.copy(Path.of(System.getenv("FLOWS_HOME"), "deploy/lab/cluster.yaml"), cluster.resolve("cluster.yaml"));
        LabCli lab = LabCli.up("flows-policy-generate", List.of(), cluster);
        try {
            String start = Instant.now().toString();
            Thread.sleep(30_000);
            Path out = Files.createTempDirectory("flows-gen-out");
            LabCli.Result gen = lab.flows(List.of("policy", "generate", "--since", start, "-o", out.toString()), 120);
            assertEquals(0, gen.exit(), gen.err());
            assertTrue(gen.err().contains("denied, left denied: infra/prometheus -> shop/cart TCP/8080"), gen.err());
            List<Path> files;
            try (Stream<Path> s = Files.list(out)) {
                files = s.sorted().toList();
            }
            assertEquals(List.of("default.yaml", "infra.yaml", "shop.yaml"), files.stream().map(p -> p.getFileName().toString()).toList());
            for (Path f : files) {
                // strictly, as the collectors will read them: a file they refused would only be a warning in their logs
                ClusterState s = new YamlClusterLoader(note -> {}).load(f);
                assertFalse(s.policies().isEmpty(), f + " holds policies");
                Files.copy(f, cluster.resolve("generated-" + f.getFileName()));
            }
            Thread.sleep(6_000); // the collectors look at the folder every 2 s
            String applied = Instant.now().toString();
            Thread.sleep(20_000);

            List<Flow> after = lab.observe(List.of("--since", applied, "--all")).stream()
                    .filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow).toList();
            assertTrue(after.stream().anyMatch(f -> f.getEgressAllowedByList().stream().anyMatch(p -> p.getName().startsWith("flows-generated-"))
                    || f.getIngressAllowedByList().stream().anyMatch(p -> p.getName().startsWith("flows-generated-"))),
                    "the generated policies decide connections now");
            Set<String> dropped = new TreeSet<>();
            for (Flow f : after) {
                if (f.getVerdict() == Verdict.DROPPED || f.getVerdict() == Verdict.AUDIT) {
                    dropped.add(f.getSource().getNamespace() + "/" + f.getSource().getPodName() + " -> " + f.getDestination().getNamespace()
                            + "/" + f.getDestination().getPodName().replaceAll("-[a-z0-9]+-[a-z0-9]+$", "") + " " + f.getVerdict());
                }
            }
            assertEquals(Set.of("infra/prometheus-0 -> shop/cart DROPPED"), dropped, "only what was denied before");
        } finally {
            lab.down();
        }
    }
}
