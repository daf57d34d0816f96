package dev.flows.observer.events;

/**
 * How a policy verdict matched, as Hubble prints it ({@code policy-verdict:L3-L4}); the number is
 * Hubble's {@code policy_match_type}.
 *
 * <p>Twin of {@code enum flows_policy_match} in {@code bpf/include/flows_event.h}; EventEnumsTest
 * reads that header and fails when the two disagree.
 */
public enum PolicyMatch {
    NONE(0, "POLICY_MATCH_NONE", "none"),
    L3_ONLY(1, "POLICY_MATCH_L3_ONLY", "L3-Only"),
    L3_L4(2, "POLICY_MATCH_L3_L4", "L3-L4"),
    L4_ONLY(3, "POLICY_MATCH_L4_ONLY", "L4-Only"),
    ALL(4, "POLICY_MATCH_ALL", "all"),
    L3_PROTO(5, "POLICY_MATCH_L3_PROTO", null),
    PROTO_ONLY(6, "POLICY_MATCH_PROTO_ONLY", null);

    private static final PolicyMatch[] BY_CODE = values();

    private final int code;
    private final String cName;
    private final String text;

    PolicyMatch(int code, String cName, String text) {
        this.code = code;
        this.cName = cName;
        this.text = text;
    }

    public int code() {
        return code;
    }

    /** The enumerator's name in flows_event.h. */
    public String cName() {
        return cName;
    }

    /** The word Hubble's CLI prints after "policy-verdict:", or null where it prints the number. */
    public String text() {
        return text;
    }

    /** The match type with this code, or null. */
    public static PolicyMatch of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
