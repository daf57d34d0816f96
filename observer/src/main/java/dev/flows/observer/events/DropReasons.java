package dev.flows.observer.events;

import dev.flows.proto.flow.DropReason;
import java.util.List;
import java.util.Map;

/**
 * Drop reasons: the ones our datapath emits, and the words Hubble prints for each reason.
 *
 * <p>{@link #DATAPATH} is the twin of {@code enum flows_drop_reason} in
 * {@code bpf/include/flows_event.h} (DROP_X = n there is DropReason X = n here); EventEnumsTest
 * reads that header and fails when the two disagree, and when a reason the datapath emits has no
 * text.
 */
public final class DropReasons {
    private DropReasons() {}

    /** Every reason the datapath emits, in the header's order. */
    public static final List<DropReason> DATAPATH = List.of(
            DropReason.POLICY_DENIED,
            DropReason.ERROR_WRITING_TO_PACKET,
            DropReason.CT_MAP_INSERTION_FAILED,
            DropReason.SERVICE_BACKEND_NOT_FOUND);

    // Cilium's texts (pkg/monitor/api/drop.go): the datapath's reasons and the common ones a
    // Hubble server or a file of Hubble's flows may carry.
    private static final Map<Integer, String> TEXT = Map.ofEntries(
            Map.entry(130, "Invalid source mac"), Map.entry(131, "Invalid destination mac"),
            Map.entry(132, "Invalid source ip"), Map.entry(133, "Policy denied"),
            Map.entry(134, "Invalid packet"), Map.entry(135, "CT: Truncated or invalid header"),
            Map.entry(136, "CT: Missing TCP ACK flag"), Map.entry(137, "CT: Unknown L4 protocol"),
            Map.entry(138, "CT: Can't create entry from packet"), Map.entry(139, "Unsupported L3 protocol"),
            Map.entry(141, "Error writing to packet"),
            Map.entry(142, "Unknown L4 protocol"), Map.entry(151, "Stale or unroutable IP"),
            Map.entry(155, "CT: Map insertion failed"), Map.entry(158, "Service backend not found"),
            Map.entry(169, "FIB lookup failed"), Map.entry(181, "Policy denied by denylist"),
            Map.entry(196, "TTL exceeded"));

    /** Hubble's words for a drop reason code, or null when we know none. */
    public static String text(int code) {
        return TEXT.get(code);
    }
}
