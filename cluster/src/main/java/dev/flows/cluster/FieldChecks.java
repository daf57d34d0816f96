package dev.flows.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of one object's fields, as it is read from a file or from the API server: every
 * failure is one line naming the source, the object, the field, the bad value and what is valid,
 * so a user can fix the YAML without reading a stack trace.
 */
final class FieldChecks {
    static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");
    // IANA_SVC_NAME, as Kubernetes checks container port names
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");

    private final String source;
    private final String what;

    /**
     * @param source the file, or "API server"
     * @param what the object, e.g. "Pod shop/web", or "document 3" while its kind and name are unknown
     */
    FieldChecks(String source, String what) {
        this.source = source;
        this.what = what;
    }

    String source() {
        return source;
    }

    String what() {
        return what;
    }

    YamlClusterLoader.InvalidClusterException fail(String problem, String field, Object value, String valid) {
        return new YamlClusterLoader.InvalidClusterException(source + ": " + what + " " + problem + ": " + field + " = "
                + (value == null ? "(missing)" : "'" + value + "'") + "; expected " + valid);
    }

    String ipv4(String value, String field) {
        if (value == null || !isIpv4(value)) {
            throw fail("has an invalid IP", field, value, "an IPv4 address such as 10.244.1.5");
        }
        return value;
    }

    /** A port number given as a number or as digits; {@code optional}: absent is 0. */
    int port(Object value, String field, boolean optional) {
        if (value == null && optional) {
            return 0;
        }
        int p;
        if (value instanceof Integer i) {
            p = i;
        } else if (value instanceof String s && s.matches("\\d{1,6}")) {
            p = Integer.parseInt(s);
        } else {
            throw fail("has an invalid port", field, value, "a number 1-65535");
        }
        if (p < 1 || p > 65535) {
            throw fail("has a port out of range", field, value, "a number 1-65535");
        }
        return p;
    }

    /** The protocol of the port at {@code field}; absent is TCP, as Kubernetes defaults it. */
    String protocol(String value, String field) {
        String protocol = value == null ? "TCP" : value;
        if (!PROTOCOLS.contains(protocol)) {
            throw fail("has an unknown protocol", field + ".protocol", protocol, "TCP, UDP or SCTP");
        }
        return protocol;
    }

    static boolean isIpv4(String s) {
        Matcher m = IPV4.matcher(s);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    /** A container port's name as Kubernetes allows it (a named targetPort or policy port refers to one). */
    static boolean isPortName(String s) {
        return PORT_NAME.matcher(s).matches() && s.matches(".*[a-z].*");
    }

    /** Labels, selectors: a key written without a value has the empty value. */
    static Map<String, String> strings(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        if (m != null) {
            m.forEach((k, v) -> out.put(k, v == null ? "" : v));
        }
        return Map.copyOf(out);
    }

    /** A list the model leaves null when the document says {@code key: null}: none. */
    static <T> List<T> each(List<T> l) {
        return l == null ? List.of() : l;
    }
}
