package dev.flows.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * observe's filter flags (Hubble names and meanings). picocli validates and documents them; the
 * request is built from {@link #inOrder}, because {@code --not} applies to the flag after it.
 */
public final class FilterOptions {
    /** Filter flags that take a value; keep in sync with the options below and RequestBuilder. */
    static final List<String> FLAGS = List.of("--pod", "--from-pod", "--to-pod", "--namespace", "--ip", "--from-ip", "--to-ip",
            "--port", "--from-port", "--to-port", "--protocol", "--verdict", "--label", "--from-label", "--to-label",
            "--node-name", "--type");

    @Option(names = "--not", description = "Negate the next filter flag: flows matching it are excluded.")
    boolean[] not;

    @Option(names = "--pod", paramLabel = "[NS/]POD", description = "Flows from or to this pod (prefix; no namespace means default).")
    List<String> pod;

    @Option(names = "--from-pod", paramLabel = "[NS/]POD", description = "Flows from this pod.")
    List<String> fromPod;

    @Option(names = "--to-pod", paramLabel = "[NS/]POD", description = "Flows to this pod.")
    List<String> toPod;

    @Option(names = "--namespace", paramLabel = "NS", description = "Flows from or to pods in this namespace.")
    List<String> namespace;

    @Option(names = "--ip", paramLabel = "IP|CIDR", description = "Flows from or to this IP.")
    List<String> ip;

    @Option(names = "--from-ip", paramLabel = "IP|CIDR", description = "Flows from this IP.")
    List<String> fromIp;

    @Option(names = "--to-ip", paramLabel = "IP|CIDR", description = "Flows to this IP.")
    List<String> toIp;

    @Option(names = "--port", paramLabel = "PORT", description = "Flows from or to this L4 port.")
    List<String> port;

    @Option(names = "--from-port", paramLabel = "PORT", description = "Flows from this L4 port.")
    List<String> fromPort;

    @Option(names = "--to-port", paramLabel = "PORT", description = "Flows to this L4 port.")
    List<String> toPort;

    @Option(names = "--protocol", paramLabel = "PROTO", description = "tcp, udp, sctp, icmp, icmpv4, icmpv6, http, dns, kafka.")
    List<String> protocol;

    @Option(names = "--verdict", paramLabel = "VERDICT", description = "FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED.")
    List<String> verdict;

    @Option(names = "--label", paramLabel = "SELECTOR", description = "Flows from or to endpoints with this label (app=cart).")
    List<String> label;

    @Option(names = "--from-label", paramLabel = "SELECTOR", description = "Flows from endpoints with this label.")
    List<String> fromLabel;

    @Option(names = "--to-label", paramLabel = "SELECTOR", description = "Flows to endpoints with this label.")
    List<String> toLabel;

    @Option(names = "--node-name", paramLabel = "NODE", description = "Flows observed on this node.")
    List<String> nodeName;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE[:SUBTYPE]", description = "Event type: trace[:to-endpoint...], drop, policy-verdict, trace-sock, l7, ...")
    List<String> type;

    /** The filter flags of a command line in the order typed, each marked if "--not" preceded it. */
    public static List<FilterFlag> inOrder(List<String> args) {
        List<FilterFlag> out = new ArrayList<>();
        boolean negate = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                break;
            }
            if (a.equals("--not")) {
                negate = true;
                continue;
            }
            String name = a.equals("-t") ? "--type" : a.startsWith("-t") && !a.startsWith("--") ? null : a;
            if (name == null) {
                out.add(new FilterFlag("--type", a.substring(2).replaceFirst("^=", ""), negate));
                negate = false;
                continue;
            }
            int eq = name.indexOf('=');
            String flag = eq > 0 ? name.substring(0, eq) : name;
            if (!FLAGS.contains(flag)) {
                continue;
            }
            String value = eq > 0 ? name.substring(eq + 1) : i + 1 < args.size() ? args.get(++i) : "";
            out.add(new FilterFlag(flag, value, negate));
            negate = false;
        }
        if (negate) {
            throw new FlagException("--not must be followed by a filter flag (e.g. --not --pod shop/cart)");
        }
        return out;
    }
}
