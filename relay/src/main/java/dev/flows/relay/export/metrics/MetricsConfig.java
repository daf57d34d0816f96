package dev.flows.relay.export.metrics;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.Converters;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The relay's Prometheus settings, declared once (a picocli {@code @Mixin}): where {@code /metrics}
 * listens, which families are on with which context, and the bound on series per family. Each
 * value is converted to its type at parse; {@link #validate()} checks what goes together and
 * changes nothing.
 */
public final class MetricsConfig {
    /** Used for every family when no --metrics is given: namespaces and pods, which the dashboards filter on. */
    public static final String DEFAULT_CONTEXT = "labelsContext=source_namespace,source_pod,destination_namespace,destination_pod";
    private static final Context DEFAULT = Context.parse("--metrics", DEFAULT_CONTEXT);

    /** One --metrics value: the family, its context, and the value as given (to quote it). */
    record FamilySpec(String spec, FlowMetrics.Family family, Context context) {}

    /** FAMILY[:OPTIONS], the options in Hubble's grammar ({@link Context}). */
    static final class FamilyConverter implements ITypeConverter<FamilySpec> {
        @Override
        public FamilySpec convert(String spec) {
            int colon = spec.indexOf(':');
            String name = (colon < 0 ? spec : spec.substring(0, colon)).strip();
            List<String> names = new ArrayList<>();
            FlowMetrics.Family family = null;
            for (FlowMetrics.Family f : FlowMetrics.Family.values()) {
                names.add(f.option());
                if (f.option().equals(name)) {
                    family = f;
                }
            }
            if (family == null) {
                throw new TypeConversionException(spec + ": unknown family " + name + "; must be one of " + names);
            }
            try {
                // Context's messages start with what it is given, the family here; Options.oneLine puts the flag in front.
                return new FamilySpec(spec, family, Context.parse(name, colon < 0 ? "" : spec.substring(colon + 1)));
            } catch (ConfigException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--metrics-listen", converter = Converters.ListenOrOff.class, paramLabel = "HOST:PORT|off", defaultValue = "0.0.0.0:9965",
            description = "Address of the Prometheus /metrics endpoint, or off. Default: ${DEFAULT-VALUE}.")
    private InetSocketAddress listen;

    @Option(names = "--metrics", converter = FamilyConverter.class, paramLabel = "FAMILY[:OPTIONS]",
            description = "A metric family to export, with Hubble's context options, e.g. "
                    + "'drop:sourceContext=namespace|ip;destinationContext=pod' or 'flow:labelsContext=source_namespace,destination_namespace'. "
                    + "Repeat for each family. Families: flow, drop, policy, tcp, port-distribution, service, icmp, flows-to-world. "
                    + "Default: every family with " + DEFAULT_CONTEXT + ".")
    private List<FamilySpec> metrics = List.of();

    @Option(names = "--metrics-series-limit", paramLabel = "N", defaultValue = "4096",
            description = "Most series per family; label sets beyond it are added to the family's overflow series "
                    + "(every label 'overflow') and counted in flows_metrics_overflow_total. Default: ${DEFAULT-VALUE}.")
    private int seriesLimit;

    /** Checks ranges and families given twice; changes nothing. The message names the flag, the bad value and what is valid. */
    public void validate() {
        if (seriesLimit < 1) {
            throw new ConfigException("--metrics-series-limit " + seriesLimit + ": must be at least 1");
        }
        List<FlowMetrics.Family> seen = new ArrayList<>();
        for (FamilySpec m : metrics) {
            if (seen.contains(m.family())) {
                throw new ConfigException("--metrics " + m.spec() + ": family " + m.family().option() + " is given twice");
            }
            seen.add(m.family());
        }
    }

    /** Where /metrics listens, or null when off. */
    public InetSocketAddress listen() { return listen; }

    /** The families on, with their context: those of --metrics, else every family with {@link #DEFAULT_CONTEXT}. */
    public Map<FlowMetrics.Family, Context> families() {
        Map<FlowMetrics.Family, Context> families = new EnumMap<>(FlowMetrics.Family.class);
        if (metrics.isEmpty()) {
            for (FlowMetrics.Family f : FlowMetrics.Family.values()) {
                families.put(f, DEFAULT);
            }
        }
        metrics.forEach(m -> families.put(m.family(), m.context()));
        return Collections.unmodifiableMap(families);
    }

    public int seriesLimit() { return seriesLimit; }
}
