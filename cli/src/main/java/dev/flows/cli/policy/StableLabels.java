package dev.flows.cli.policy;

import dev.flows.observer.events.EndpointLabels;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The labels that select a workload's pods for as long as the workload exists: a pod's own labels
 * as its flows carry them, without the ones controllers stamp per revision, per pod or per run. A
 * selector on those would stop matching at the next rollout, and the application would break.
 */
final class StableLabels {
    private static final Set<String> UNSTABLE = Set.of(
            "pod-template-hash", "controller-revision-hash", "pod-template-generation",
            "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
            "controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name",
            "batch.kubernetes.io/job-completion-index");

    private StableLabels() {}

    /** A pod's stable labels from its endpoint's "k8s:KEY=VALUE" labels. */
    static Map<String, String> of(List<String> endpointLabels) {
        Map<String, String> out = new TreeMap<>();
        for (String l : endpointLabels) {
            int eq = l.indexOf('=');
            if (!l.startsWith(EndpointLabels.K8S) || l.startsWith(EndpointLabels.NAMESPACE + "=") || eq < 0) {
                continue;
            }
            String key = l.substring(EndpointLabels.K8S.length(), eq);
            if (!UNSTABLE.contains(key)) {
                out.put(key, l.substring(eq + 1));
            }
        }
        return out;
    }
}
