package dev.flows.observer.events;

/**
 * Event types our BPF programs write. The numbers are Hubble's {@code CiliumEventType.type}.
 *
 * <p>Keep in sync with {@code enum flows_event_type} in {@code bpf/include/flows_event.h};
 * EventEnumsTest parses that header and fails when the two disagree.
 */
public enum EventType {
    DROP(1, "FLOWS_EVENT_DROP"),
    TRACE(4, "FLOWS_EVENT_TRACE"),
    POLICY_VERDICT(5, "FLOWS_EVENT_POLICY_VERDICT");

    private static final EventType[] BY_CODE = new EventType[256];

    static {
        for (EventType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final String cName;

    EventType(int code, String cName) {
        this.code = code;
        this.cName = cName;
    }

    public int code() {
        return code;
    }

    /** The enumerator's name in flows_event.h. */
    public String cName() {
        return cName;
    }

    /** The type with this code, or null. */
    public static EventType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
