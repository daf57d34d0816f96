package dev.flows.relay.export.metrics;

import dev.flows.observer.config.ConfigException;
import dev.flows.proto.flow.Endpoint;
import dev.flows.proto.flow.Flow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The context labels of one metric family, as Hubble's metrics options offer them:
 * {@code sourceContext} and {@code destinationContext} (one label each, {@code source} and
 * {@code destination}; options separated by {@code |} are tried in order and the first non-empty
 * value wins) and {@code labelsContext} (a list of named labels such as {@code source_namespace}).
 * Parsed once; {@link #values} reads a flow without allocating more than the result.
 */
public final class Context {
    /** One way to name an endpoint. */
    private static final Map<String, Function<Endpoint, String>> ENDPOINT = Map.of(
            "namespace", Endpoint::getNamespace,
            "pod", e -> e.getPodName().isEmpty() ? "" : e.getNamespace() + "/" + e.getPodName(),
            "pod-name", Endpoint::getPodName,
            "workload", e -> e.getWorkloadsCount() == 0 ? "" : e.getNamespace() + "/" + e.getWorkloads(0).getName(),
            "workload-name", e -> e.getWorkloadsCount() == 0 ? "" : e.getWorkloads(0).getName(),
            "app", Context::app,
            "identity", e -> e.getIdentity() == 0 ? "" : Integer.toUnsignedString(e.getIdentity()),
            "reserved-identity", Context::reserved);
    private static final List<String> LABELS = List.of("namespace", "pod", "workload", "app", "ip");

    /** Every labelsContext name that may be given. */
    public static final List<String> LABEL_NAMES;

    static {
        List<String> names = new ArrayList<>();
        for (String side : List.of("source", "destination")) {
            LABELS.forEach(l -> names.add(side + "_" + l));
        }
        names.add("traffic_direction");
        LABEL_NAMES = List.copyOf(names);
    }

    /** No context labels at all. */
    public static final Context NONE = new Context(List.of(), List.of());

    private final List<String> names;
    private final List<Function<Flow, String>> readers;

    private Context(List<String> names, List<Function<Flow, String>> readers) {
        this.names = List.copyOf(names);
        this.readers = List.copyOf(readers);
    }

    /**
     * Parses {@code key=value;key=value} (the part after the family name and colon). Unknown keys or
     * values are refused with a message that names them and lists what is valid.
     */
    public static Context parse(String flag, String options) {
        List<String> names = new ArrayList<>();
        List<Function<Flow, String>> readers = new ArrayList<>();
        if (options == null || options.isBlank()) {
            return NONE;
        }
        for (String opt : options.split(";")) {
            int eq = opt.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(flag + " " + options + ": '" + opt + "' is not key=value");
            }
            String key = opt.substring(0, eq).strip();
            String value = opt.substring(eq + 1).strip();
            switch (key) {
                case "sourceContext" -> {
                    names.add("source");
                    readers.add(endpointChain(flag, value, true));
                }
                case "destinationContext" -> {
                    names.add("destination");
                    readers.add(endpointChain(flag, value, false));
                }
                case "labelsContext" -> {
                    for (String l : value.split(",")) {
                        String label = l.strip();
                        if (!LABEL_NAMES.contains(label)) {
                            throw new ConfigException(flag + " labelsContext " + label + ": must be one of " + LABEL_NAMES);
                        }
                        if (!names.contains(label)) {
                            names.add(label);
                            readers.add(labelReader(label));
                        }
                    }
                }
                default -> throw new ConfigException(flag + " " + key + ": must be sourceContext, destinationContext or labelsContext");
            }
        }
        return new Context(names, readers);
    }

    private static Function<Flow, String> endpointChain(String flag, String value, boolean source) {
        List<Function<Flow, String>> chain = new ArrayList<>();
        for (String o : value.split("\\|")) {
            String option = o.strip();
            if (option.equals("ip")) {
                chain.add(source ? f -> f.getIP().getSource() : f -> f.getIP().getDestination());
                continue;
            }
            Function<Endpoint, String> e = ENDPOINT.get(option);
            if (e == null) {
                throw new ConfigException(flag + " " + (source ? "sourceContext " : "destinationContext ") + option
                        + ": must be one of " + new java.util.TreeSet<>(ENDPOINT.keySet()) + " or ip");
            }
            chain.add(source ? f -> e.apply(f.getSource()) : f -> e.apply(f.getDestination()));
        }
        return f -> {
            for (Function<Flow, String> c : chain) {
                String v = c.apply(f);
                if (!v.isEmpty()) {
                    return v;
                }
            }
            return "";
        };
    }

    private static Function<Flow, String> labelReader(String label) {
        if (label.equals("traffic_direction")) {
            return f -> f.getTrafficDirection().name().toLowerCase(java.util.Locale.ROOT);
        }
        boolean source = label.startsWith("source_");
        String what = label.substring(label.indexOf('_') + 1);
        if (what.equals("ip")) {
            return source ? f -> f.getIP().getSource() : f -> f.getIP().getDestination();
        }
        Function<Endpoint, String> e = switch (what) {
            case "pod" -> Endpoint::getPodName;
            case "workload" -> ENDPOINT.get("workload-name");
            default -> ENDPOINT.get(what);
        };
        return source ? f -> e.apply(f.getSource()) : f -> e.apply(f.getDestination());
    }

    private static String app(Endpoint e) {
        for (String l : e.getLabelsList()) {
            if (l.startsWith("k8s:app=")) {
                return l.substring("k8s:app=".length());
            }
            if (l.startsWith("k8s:app.kubernetes.io/name=")) {
                return l.substring("k8s:app.kubernetes.io/name=".length());
            }
        }
        return "";
    }

    private static String reserved(Endpoint e) {
        for (String l : e.getLabelsList()) {
            if (l.startsWith("reserved:")) {
                return l.substring("reserved:".length());
            }
        }
        return "";
    }

    /** The label names this context adds, in order. */
    public List<String> names() {
        return names;
    }

    /** This flow's values for {@link #names()}, in the same order. */
    public String[] values(Flow f) {
        String[] v = new String[readers.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = readers.get(i).apply(f);
        }
        return v;
    }

    @Override
    public String toString() {
        return names.isEmpty() ? "no context" : String.join(",", names);
    }
}
