package dev.flows.observer.filter;

import dev.flows.observer.net.Cidr;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.Workload;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/** The filter fields about either end of a flow: addresses, pods, labels, services, workloads, identities. */
final class EndpointFilters {
    private EndpointFilters() {}

    static Predicate<Flow> ips(String field, List<String> values, Function<Flow, String> get)
            throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        Set<String> exact = new HashSet<>();
        List<Cidr> cidrs = new ArrayList<>();
        for (String v : values) {
            Cidr c = Cidr.parse(v.trim());
            if (c == null) {
                throw FilterException.bad(field, v, "use an IP address or a CIDR (e.g. 10.244.1.5, 10.244.0.0/16, fd00::/64)");
            }
            if (c.isSingleAddress() && v.indexOf('/') < 0) {
                exact.add(dev.flows.observer.net.Addresses.format(dev.flows.observer.net.Addresses.parseIp(v.trim())));
            } else {
                cidrs.add(c);
            }
        }
        return flow -> {
            String ip = get.apply(flow);
            if (ip.isEmpty()) {
                return false;
            }
            if (exact.contains(ip)) {
                return true;
            }
            for (Cidr c : cidrs) {
                if (c.contains(ip)) {
                    return true;
                }
            }
            return false;
        };
    }

    /** "ns/name-prefix"; "ns/" selects the namespace; a bare value is a pod prefix in "default". */
    static Predicate<Flow> pods(String field, List<String> values, Function<Flow, Endpoint> get)
            throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        List<String[]> nsPrefix = new ArrayList<>();
        for (String v : values) {
            nsPrefix.add(namespaced(field, v, "a pod as \"namespace/name-prefix\" or a namespace as \"namespace/\""));
        }
        return flow -> {
            Endpoint e = get.apply(flow);
            if (e.getPodName().isEmpty()) {
                return false;
            }
            for (String[] np : nsPrefix) {
                if (e.getNamespace().equals(np[0]) && e.getPodName().startsWith(np[1])) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String[] namespaced(String field, String v, String valid) throws FilterException {
        String s = v.trim();
        if (s.isEmpty() || s.indexOf('/') != s.lastIndexOf('/') || s.startsWith("/")) {
            throw FilterException.bad(field, v, valid);
        }
        int slash = s.indexOf('/');
        return slash < 0 ? new String[] {"default", s} : new String[] {s.substring(0, slash), s.substring(slash + 1)};
    }

    static Predicate<Flow> labels(String field, List<String> values, Function<Flow, Endpoint> get)
            throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        List<Predicate<List<String>>> selectors = new ArrayList<>();
        for (String v : values) {
            selectors.add(LabelSelector.compile(field, v));
        }
        return flow -> {
            List<String> labels = get.apply(flow).getLabelsList();
            for (Predicate<List<String>> s : selectors) {
                if (s.test(labels)) {
                    return true;
                }
            }
            return false;
        };
    }

    static Predicate<Flow> services(String field, List<String> values, boolean source)
            throws FilterException {
        if (values.isEmpty()) {
            return null;
        }
        List<String[]> nsPrefix = new ArrayList<>();
        for (String v : values) {
            nsPrefix.add(namespaced(field, v, "a service as \"namespace/name-prefix\" or \"namespace/\""));
        }
        return flow -> {
            dev.flows.proto.flow.Service s = source ? flow.getSourceService() : flow.getDestinationService();
            if (s.getName().isEmpty()) {
                return false;
            }
            for (String[] np : nsPrefix) {
                if (s.getNamespace().equals(np[0]) && s.getName().startsWith(np[1])) {
                    return true;
                }
            }
            return false;
        };
    }

    /** A workload matches on name and kind; an empty name or kind in the filter matches any. */
    static Predicate<Flow> workloads(List<Workload> values, Function<Flow, Endpoint> get) {
        if (values.isEmpty()) {
            return null;
        }
        List<Workload> wanted = List.copyOf(values);
        return flow -> {
            for (Workload have : get.apply(flow).getWorkloadsList()) {
                for (Workload w : wanted) {
                    if ((w.getName().isEmpty() || w.getName().equals(have.getName()))
                            && (w.getKind().isEmpty() || w.getKind().equals(have.getKind()))) {
                        return true;
                    }
                }
            }
            return false;
        };
    }

    static Predicate<Flow> identities(List<Integer> values, Function<Flow, Endpoint> get) {
        if (values.isEmpty()) {
            return null;
        }
        Set<Integer> set = new HashSet<>(values);
        return flow -> set.contains(get.apply(flow).getIdentity());
    }
}
