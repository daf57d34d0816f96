package dev.flows.collector.enrich;

import dev.flows.collector.decode.DecodedEvent;
import dev.flows.collector.decode.DecodedEvent.PolicyDecision;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Policy;
import java.util.List;

/**
 * Gives a policy verdict or a policy drop its policies, for the {@link Enricher}. An allow names
 * the policy whose map entry matched, by the id the event carries; a denial matched no entry, so
 * it names, as Hubble does, the policies that select the local pod for that direction (the source
 * of an egress, the destination of an ingress). They go into the flow's allowed-by or denied-by
 * list of that direction and, as " by ns/name, ...", to the end of the summary, which the decoder
 * leaves ending with the decision and which every output format shows.
 */
final class FlowPolicies {
    private final PolicyNames names;

    FlowPolicies(PolicyNames names) {
        this.names = names;
    }

    void name(PolicyDecision decision, int policyId, Flow.Builder flow) {
        if (decision == PolicyDecision.NONE) {
            return;
        }
        List<Policy> by;
        if (decision.allowed()) {
            Policy p = policyId == DecodedEvent.NO_ID ? null : names.byId(policyId);
            by = p == null ? List.of() : List.of(p);
        } else {
            String localPod = decision.egress() ? flow.getIP().getSource() : flow.getIP().getDestination();
            by = names.selecting(localPod, decision.egress());
        }
        if (by.isEmpty()) {
            return;
        }
        switch (decision) {
            case INGRESS_ALLOWED -> flow.addAllIngressAllowedBy(by);
            case EGRESS_ALLOWED -> flow.addAllEgressAllowedBy(by);
            case INGRESS_DENIED -> flow.addAllIngressDeniedBy(by);
            case EGRESS_DENIED -> flow.addAllEgressDeniedBy(by);
            default -> throw new IllegalStateException("no policies for " + decision);
        }
        StringBuilder s = new StringBuilder(flow.getSummary()).append(" by ");
        for (int i = 0; i < by.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(by.get(i).getNamespace()).append('/').append(by.get(i).getName());
        }
        flow.setSummary(s.toString());
    }
}
