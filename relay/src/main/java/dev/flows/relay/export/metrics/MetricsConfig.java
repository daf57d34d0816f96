package dev.flows.relay.export.metrics;

import dev.flows.observer.config.ConfigException;
import dev.flows.observer.config.HostPort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The relay's Prometheus settings, declared once (a picocli {@code @Mixin}): where {@code /metrics}
 * listens, which families are on with which context, and the bound on series per family. Checked by
 * {@link #validate()}; immutable afterwards.
 */
public final class MetricsConfig {
    /** Used for every family when no --metrics is given: namespaces and pods, which the dashboards filter on. */
    public static final String DEFAULT_CONTEXT = "labelsContext=source_namespace,source_pod,destination_namespace,destination_pod";

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT|off", defaultValue = "0.0.0.0:9965",
            description = "Address of the Prometheus /metrics endpoint, or off. Default: ${DEFAULT-VALUE}.")
    private String listen;

    @Option(names = "--metrics", paramLabel = "FAMILY[:OPTIONS]",
            description = "A metric family to export, with Hubble's context options, e.g. "
                    + "'drop:sourceContext=namespace|ip;destinationContext=pod' or 'flow:labelsContext=source_namespace,destination_namespace'. "
                    + "Repeat for each family. Families: flow, drop, policy, tcp, port-distribution, service, icmp, flows-to-world. "
                    + "Default: every family with " + DEFAULT_CONTEXT + ".")
    private List<String> metrics = new ArrayList<>();

    @Option(names = "--metrics-series-limit", paramLabel = "N", defaultValue = "4096",
            description = "Most series per family; label sets beyond it are added to the family's overflow series "
                    + "(every label 'overflow') and counted in flows_metrics_overflow_total. Default: ${DEFAULT-VALUE}.")
    private int seriesLimit;

    private InetSocketAddress listenParsed;
    private Map<FlowMetrics.Family, Context> familiesParsed;

    /** Checks every value once; the message names the flag, the bad value and what is valid. */
    public void validate() {
        listenParsed = listen.equals("off") ? null : HostPort.parse("--metrics-listen", listen);
        if (seriesLimit < 1) {
            throw new ConfigException("--metrics-series-limit " + seriesLimit + ": must be at least 1");
        }
        Map<FlowMetrics.Family, Context> families = new EnumMap<>(FlowMetrics.Family.class);
        if (metrics.isEmpty()) {
            for (FlowMetrics.Family f : FlowMetrics.Family.values()) {
                families.put(f, Context.parse("--metrics", DEFAULT_CONTEXT));
            }
        }
        for (String spec : metrics) {
            int colon = spec.indexOf(':');
            String name = (colon < 0 ? spec : spec.substring(0, colon)).strip();
            FlowMetrics.Family family = null;
            for (FlowMetrics.Family f : FlowMetrics.Family.values()) {
                if (f.option().equals(name)) {
                    family = f;
                }
            }
            if (family == null) {
                List<String> names = new ArrayList<>();
                for (FlowMetrics.Family f : FlowMetrics.Family.values()) {
                    names.add(f.option());
                }
                throw new ConfigException("--metrics " + spec + ": unknown family " + name + "; must be one of " + names);
            }
            if (families.containsKey(family)) {
                throw new ConfigException("--metrics " + spec + ": family " + name + " is given twice");
            }
            families.put(family, Context.parse("--metrics " + name, colon < 0 ? "" : spec.substring(colon + 1)));
        }
        familiesParsed = Collections.unmodifiableMap(families);
    }

    /** Where /metrics listens, or null when off. */
    public InetSocketAddress listen() { return listenParsed; }
    public Map<FlowMetrics.Family, Context> families() { return familiesParsed; }
    public int seriesLimit() { return seriesLimit; }
}
