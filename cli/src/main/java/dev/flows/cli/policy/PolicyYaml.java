package dev.flows.cli.policy;

import dev.flows.cluster.Namespace;
import java.util.List;
import java.util.Map;

/**
 * Writes generated policies as Kubernetes YAML for a person to review: one document per policy,
 * and above each rule a comment saying which connections justified it. Written by hand rather than
 * through a serializer because YAML serializers drop comments, and the comments are the review.
 * Every string is double-quoted, so no label value can change the document's structure.
 */
final class PolicyYaml {
    private final StringBuilder out = new StringBuilder();

    /** The documents, after a header comment (each line of {@code header} becomes one comment line). */
    static String write(List<String> header, List<GeneratedPolicy> policies) {
        PolicyYaml y = new PolicyYaml();
        header.forEach(h -> y.line(0, "# " + h));
        policies.forEach(y::policy);
        return y.out.toString();
    }

    private void policy(GeneratedPolicy p) {
        line(0, "---");
        line(0, "apiVersion: networking.k8s.io/v1");
        line(0, "kind: NetworkPolicy");
        line(0, "metadata:");
        line(1, "name: " + q(p.name()));
        line(1, "namespace: " + q(p.workload().namespace()));
        line(1, "labels:");
        line(2, q("flows.dev/generated") + ": " + q("true"));
        line(0, "spec:");
        line(1, "podSelector:");
        labels(2, p.selector());
        line(1, "policyTypes: [\"Ingress\", \"Egress\"]");
        rules(p.ingress(), "ingress", "from");
        rules(p.egress(), "egress", "to");
    }

    private void rules(List<GeneratedPolicy.Rule> rules, String key, String peersKey) {
        if (rules.isEmpty()) {
            line(1, "# nothing was seen " + (key.equals("ingress") ? "coming in" : "going out") + ": nothing is allowed");
            line(1, key + ": []");
            return;
        }
        line(1, key + ":");
        for (GeneratedPolicy.Rule r : rules) {
            line(2, "# " + r.why());
            line(2, "- " + peersKey + ":");
            for (GeneratedPolicy.Peer peer : r.peers()) {
                if (peer.cidr() != null) {
                    line(4, "- ipBlock:");
                    line(6, "cidr: " + q(peer.cidr()));
                    continue;
                }
                line(4, "- podSelector:");
                labels(6, peer.selector());
                line(5, "namespaceSelector:");
                labels(6, Map.of(Namespace.NAME_LABEL, peer.workload().namespace()));
            }
            if (!r.ports().isEmpty()) {
                line(3, "ports:");
                for (PortKey port : r.ports()) {
                    line(4, "- protocol: " + q(port.protocol()));
                    line(5, "port: " + port.port());
                }
            }
        }
    }

    private void labels(int depth, Map<String, String> labels) {
        if (labels.isEmpty()) {
            line(depth, "matchLabels: {}");
            return;
        }
        line(depth, "matchLabels:");
        new java.util.TreeMap<>(labels).forEach((k, v) -> line(depth + 1, q(k) + ": " + q(v)));
    }

    private void line(int depth, String text) {
        out.append("  ".repeat(depth)).append(text).append('\n');
    }

    /** A YAML double-quoted scalar (the JSON escapes, which YAML shares). */
    static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
