package dev.flows.observer.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Hubble's label selector syntax, compiled into a predicate over an endpoint's labels
 * ("k8s:app=x", "reserved:world").
 *
 * <p>Supported, comma-separated and ANDed: {@code key=value}, {@code key==value},
 * {@code key!=value}, {@code key}, {@code !key}, {@code key in (a,b)}, {@code key notin (a,b)}.
 * A key may carry a source ({@code k8s:app}); without one it matches any source, as in Cilium.
 * Anything else (set-based operators on values, {@code >}, {@code <}) is rejected.
 */
final class LabelSelector {
    private static final Pattern KEY = Pattern.compile("([A-Za-z0-9_.-]+:)?[A-Za-z0-9_./-]+");
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9_.-]*");

    private LabelSelector() {}

    static Predicate<List<String>> compile(String field, String selector) throws FilterException {
        List<Predicate<List<String>>> terms = new ArrayList<>();
        for (String term : splitTopLevel(field, selector)) {
            terms.add(term(field, selector, term.trim()));
        }
        if (terms.isEmpty()) {
            throw bad(field, selector);
        }
        return labels -> {
            for (Predicate<List<String>> t : terms) {
                if (!t.test(labels)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static FilterException bad(String field, String selector) {
        return FilterException.bad(field, selector,
                "use a label selector like \"app=x\", \"k8s:app=x\", \"app!=x\", \"app in (a,b)\", \"app notin (a,b)\", \"app\" or \"!app\"");
    }

    private static List<String> splitTopLevel(String field, String s) throws FilterException {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth < 0) {
                    throw bad(field, s);
                }
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw bad(field, s);
        }
        out.add(s.substring(start));
        return out;
    }

    private static Predicate<List<String>> term(String field, String selector, String t) throws FilterException {
        if (t.isEmpty()) {
            throw bad(field, selector);
        }
        if (t.startsWith("!")) {
            Key k = key(field, selector, t.substring(1).trim());
            return labels -> !k.present(labels);
        }
        String[] setOp = t.split("\\s+(?=(in|notin)\\s*\\()", 2);
        if (setOp.length == 2) {
            Key k = key(field, selector, setOp[0].trim());
            String rest = setOp[1].trim();
            boolean notIn = rest.startsWith("notin");
            String list = rest.substring(notIn ? 5 : 2).trim();
            if (!list.startsWith("(") || !list.endsWith(")")) {
                throw bad(field, selector);
            }
            Set<String> values = new java.util.HashSet<>();
            for (String v : list.substring(1, list.length() - 1).split(",")) {
                values.add(value(field, selector, v.trim()));
            }
            if (notIn) {
                return labels -> !k.anyValueIn(labels, values);
            }
            return labels -> k.anyValueIn(labels, values);
        }
        int ne = t.indexOf("!=");
        if (ne > 0) {
            Key k = key(field, selector, t.substring(0, ne).trim());
            String v = value(field, selector, t.substring(ne + 2).trim());
            return labels -> !k.anyValueIn(labels, Set.of(v));
        }
        int eq = t.indexOf('=');
        if (eq > 0) {
            int vs = t.startsWith("==", eq) ? eq + 2 : eq + 1;
            Key k = key(field, selector, t.substring(0, eq).trim());
            String v = value(field, selector, t.substring(vs).trim());
            return labels -> k.anyValueIn(labels, Set.of(v));
        }
        Key k = key(field, selector, t);
        return k::present;
    }

    private static Key key(String field, String selector, String k) throws FilterException {
        if (!KEY.matcher(k).matches()) {
            throw bad(field, selector);
        }
        int colon = k.indexOf(':');
        return colon < 0 ? new Key(null, k) : new Key(k.substring(0, colon), k.substring(colon + 1));
    }

    private static String value(String field, String selector, String v) throws FilterException {
        if (!VALUE.matcher(v).matches()) {
            throw bad(field, selector);
        }
        return v;
    }

    /** A label key, with the source it must come from or null for any source. */
    private record Key(String source, String name) {
        boolean present(List<String> labels) {
            for (String l : labels) {
                if (matchesKey(l)) {
                    return true;
                }
            }
            return false;
        }

        boolean anyValueIn(List<String> labels, Set<String> values) {
            for (String l : labels) {
                if (matchesKey(l)) {
                    int eq = l.indexOf('=');
                    String v = eq < 0 ? "" : l.substring(eq + 1);
                    if (values.contains(v)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Label form: "source:key=value" or "source:key". */
        private boolean matchesKey(String label) {
            int colon = label.indexOf(':');
            int eq = label.indexOf('=', Math.max(colon, 0));
            int keyEnd = eq < 0 ? label.length() : eq;
            int keyStart = colon >= 0 && colon < keyEnd ? colon + 1 : 0;
            if (keyEnd - keyStart != name.length() || !label.startsWith(name, keyStart)) {
                return false;
            }
            if (source == null) {
                return true;
            }
            return keyStart > 0 && keyStart - 1 == source.length() && label.startsWith(source);
        }
    }
}
