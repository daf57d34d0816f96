package dev.flows.collector.enrich;

import dev.flows.proto.flow.Service;

/**
 * Names the service frontend behind an id the datapath wrote into an event. The ids are the
 * collector's own numbering of the frontends it programs (dev.flows.collector.datapath), so the
 * name comes from the table that programmed them, not from the flow's addresses: after DNAT the
 * addresses name the backend, not the service.
 */
@FunctionalInterface
public interface ServiceNames {
    /** Resolves nothing: for observe mode and tests without services. */
    ServiceNames NONE = id -> null;

    /** The service of frontend {@code id}, or null when unknown (e.g. removed meanwhile). */
    Service byId(int id);
}
