package dev.flows.observer.filter;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.FlowFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Compiles Hubble FlowFilters into one predicate, once per request, with Hubble's semantics:
 * fields inside one FlowFilter are ANDed, values inside one field ORed; a flow passes when the
 * whitelist is empty or any whitelist filter matches, and no blacklist filter matches.
 *
 * <p>Fields that flows can never carry (source/destination_fqdn, http_status_code, http_method,
 * http_path, dns_query, trace_id: flows has no L7 or DNS visibility) are rejected with a
 * {@link FilterException} rather than silently matching nothing: a user who asks for
 * {@code --http-status 500} should learn that this server cannot answer, not see an empty result
 * that looks like "no errors".
 *
 * <p>Independent of gRPC: the CLI uses it to filter flows read from a file.
 */
public final class FlowFilters {
    private FlowFilters() {}

    /** A predicate that passes every flow. */
    public static final Predicate<Flow> ALL = f -> true;

    public static Predicate<Flow> compile(List<FlowFilter> whitelist, List<FlowFilter> blacklist)
            throws FilterException {
        List<Predicate<Flow>> white = new ArrayList<>();
        for (FlowFilter f : whitelist) {
            white.add(compile(f));
        }
        List<Predicate<Flow>> black = new ArrayList<>();
        for (FlowFilter f : blacklist) {
            black.add(compile(f));
        }
        if (white.isEmpty() && black.isEmpty()) {
            return ALL;
        }
        return flow -> {
            for (Predicate<Flow> b : black) {
                if (b.test(flow)) {
                    return false;
                }
            }
            if (white.isEmpty()) {
                return true;
            }
            for (Predicate<Flow> w : white) {
                if (w.test(flow)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** One FlowFilter: every set field must match. */
    public static Predicate<Flow> compile(FlowFilter f) throws FilterException {
        rejectUnsupported(f);
        List<Predicate<Flow>> all = new ArrayList<>();
        add(all, EndpointFilters.ips("source_ip", f.getSourceIpList(), fl -> fl.getIP().getSource()));
        add(all, EndpointFilters.ips("destination_ip", f.getDestinationIpList(), fl -> fl.getIP().getDestination()));
        add(all, EndpointFilters.pods("source_pod", f.getSourcePodList(), Flow::getSource));
        add(all, EndpointFilters.pods("destination_pod", f.getDestinationPodList(), Flow::getDestination));
        add(all, EndpointFilters.labels("source_label", f.getSourceLabelList(), Flow::getSource));
        add(all, EndpointFilters.labels("destination_label", f.getDestinationLabelList(), Flow::getDestination));
        add(all, EndpointFilters.services("source_service", f.getSourceServiceList(), true));
        add(all, EndpointFilters.services("destination_service", f.getDestinationServiceList(), false));
        add(all, EndpointFilters.workloads(f.getSourceWorkloadList(), Flow::getSource));
        add(all, EndpointFilters.workloads(f.getDestinationWorkloadList(), Flow::getDestination));
        add(all, PacketFilters.verdicts(f.getVerdictList()));
        add(all, PacketFilters.eventTypes(f.getEventTypeList()));
        add(all, PacketFilters.protocols(f.getProtocolList()));
        add(all, PacketFilters.ports("source_port", f.getSourcePortList(), true));
        add(all, PacketFilters.ports("destination_port", f.getDestinationPortList(), false));
        add(all, PacketFilters.replies(f.getReplyList()));
        add(all, EndpointFilters.identities(f.getSourceIdentityList(), Flow::getSource));
        add(all, EndpointFilters.identities(f.getDestinationIdentityList(), Flow::getDestination));
        add(all, PacketFilters.tcpFlags(f.getTcpFlagsList()));
        add(all, PacketFilters.nodeNames(f.getNodeNameList()));
        add(all, PacketFilters.ipVersions(f.getIpVersionList()));
        if (all.isEmpty()) {
            return ALL;
        }
        Predicate<Flow>[] arr = all.toArray(new Predicate[0]);
        return flow -> {
            for (Predicate<Flow> p : arr) {
                if (!p.test(flow)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static void add(List<Predicate<Flow>> all, Predicate<Flow> p) {
        if (p != null) {
            all.add(p);
        }
    }

    private static void rejectUnsupported(FlowFilter f) throws FilterException {
        unsupported("source_fqdn", f.getSourceFqdnCount(), "flows has no DNS visibility");
        unsupported("destination_fqdn", f.getDestinationFqdnCount(), "flows has no DNS visibility");
        unsupported("dns_query", f.getDnsQueryCount(), "flows has no DNS visibility");
        unsupported("http_status_code", f.getHttpStatusCodeCount(), "flows has no HTTP (L7) visibility");
        unsupported("http_method", f.getHttpMethodCount(), "flows has no HTTP (L7) visibility");
        unsupported("http_path", f.getHttpPathCount(), "flows has no HTTP (L7) visibility");
        unsupported("trace_id", f.getTraceIdCount(), "flows does not read trace context from packets");
    }

    private static void unsupported(String field, int count, String why) throws FilterException {
        if (count > 0) {
            throw new FilterException("filter field " + field + " is not supported: " + why);
        }
    }
}
