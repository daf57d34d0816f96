package dev.flows.collector.enrich;

import dev.flows.proto.flow.Policy;
import java.util.List;

/**
 * Names the network policies behind a policy verdict or a policy drop. An allow names the policy
 * whose map entry matched (by the id the datapath wrote); a denial matched nothing, so it names,
 * as Hubble does, the policies that select the local pod for that direction: the ones that made
 * the direction default-deny. Both come from the table that programmed the policy maps.
 */
public interface PolicyNames {
    /** Names nothing: observe mode and tests without policies. */
    PolicyNames NONE = new PolicyNames() {
        @Override
        public Policy byId(int id) {
            return null;
        }

        @Override
        public List<Policy> selecting(String podAddress, boolean egress) {
            return List.of();
        }
    };

    /** The policy with this id, or null when unknown (e.g. removed meanwhile). */
    Policy byId(int id);

    /** The policies that select the local pod at this address for egress (or ingress). */
    List<Policy> selecting(String podAddress, boolean egress);
}
