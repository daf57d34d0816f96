package dev.flows.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * observe's filter flags (Hubble names and meanings). picocli accepts and documents them; the
 * request is built from {@link #inOrder}, because {@code --not} applies to the flag after it.
 * That is why these fields stay the text as typed and are never read: a typed list per flag would
 * lose which values a {@code --not} precedes, so each value is converted (and a bad one refused)
 * once, in command-line order, by {@link RequestBuilder}.
 */
public final class FilterOptions {
    /** Filter flags that take a value; keep in sync with the options below and RequestBuilder. */
    static final List<String> FLAGS = List.of("--pod", "--from-pod", "--to-pod",
            "--namespace", "--from-namespace", "--to-namespace", "--ip", "--from-ip", "--to-ip",
            "--port", "--from-port", "--to-port", "--protocol", "--verdict", "--label", "--from-label", "--to-label",
            "--service", "--from-service", "--to-service", "--identity", "--from-identity", "--to-identity",
            "--workload", "--from-workload", "--to-workload", "--node-name", "--tcp-flags", "--ip-version", "--type");
    /** Short names of filter flags. */
    static final Map<String, String> SHORT = Map.of("-t", "--type", "-n", "--namespace");

    @Option(names = "--not", description = "Negate the next filter flag: flows matching it are excluded.")
    boolean[] not;

    @Option(names = "--pod", paramLabel = "[NS/]POD", description = "Flows from or to this pod (prefix; no namespace means default).")
    List<String> pod;

    @Option(names = "--from-pod", paramLabel = "[NS/]POD", description = "Flows from this pod.")
    List<String> fromPod;

    @Option(names = "--to-pod", paramLabel = "[NS/]POD", description = "Flows to this pod.")
    List<String> toPod;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Flows from or to pods in this namespace.")
    List<String> namespace;

    @Option(names = "--from-namespace", paramLabel = "NS", description = "Flows from pods in this namespace.")
    List<String> fromNamespace;

    @Option(names = "--to-namespace", paramLabel = "NS", description = "Flows to pods in this namespace.")
    List<String> toNamespace;

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

    @Option(names = "--service", paramLabel = "[NS/]SVC", description = "Flows from or to this service (prefix; no namespace means default).")
    List<String> service;

    @Option(names = "--from-service", paramLabel = "[NS/]SVC", description = "Flows from this service.")
    List<String> fromService;

    @Option(names = "--to-service", paramLabel = "[NS/]SVC", description = "Flows to this service.")
    List<String> toService;

    @Option(names = "--identity", paramLabel = "ID", description = "Flows from or to this security identity (number or reserved name: host, world, ...).")
    List<String> identity;

    @Option(names = "--from-identity", paramLabel = "ID", description = "Flows from this security identity.")
    List<String> fromIdentity;

    @Option(names = "--to-identity", paramLabel = "ID", description = "Flows to this security identity.")
    List<String> toIdentity;

    @Option(names = "--workload", paramLabel = "[KIND/]NAME", description = "Flows from or to this workload (Deployment/cart, or cart).")
    List<String> workload;

    @Option(names = "--from-workload", paramLabel = "[KIND/]NAME", description = "Flows from this workload.")
    List<String> fromWorkload;

    @Option(names = "--to-workload", paramLabel = "[KIND/]NAME", description = "Flows to this workload.")
    List<String> toWorkload;

    @Option(names = "--tcp-flags", paramLabel = "FLAGS", description = "TCP flows with all these flags set, comma-separated (SYN, SYN,ACK, RST...).")
    List<String> tcpFlags;

    @Option(names = "--ip-version", paramLabel = "VERSION", description = "4 or 6 (also v4, ipv4, v6, ipv6).")
    List<String> ipVersion;

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
            String name = a;
            if (!a.startsWith("--") && a.length() > 2 && SHORT.containsKey(a.substring(0, 2))) {
                // -tdrop, -t=drop: picocli's attached short-option value
                out.add(new FilterFlag(SHORT.get(a.substring(0, 2)), a.substring(2).replaceFirst("^=", ""), negate));
                negate = false;
                continue;
            }
            name = SHORT.getOrDefault(name, name);
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
