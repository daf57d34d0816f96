package dev.flows.observer.events;

import dev.flows.proto.flow.TraceObservationPoint;
import dev.flows.proto.flow.TrafficDirection;

/**
 * Where in the datapath a trace event was written. The code is Hubble's trace sub_type.
 *
 * <p>Keep in sync with {@code enum flows_obs_point} in {@code bpf/include/flows_event.h};
 * EventEnumsTest parses that header and fails when the two disagree.
 */
public enum ObservationPoint {
    TO_ENDPOINT(0, "OBS_TO_ENDPOINT", TraceObservationPoint.TO_ENDPOINT),
    TO_PROXY(1, "OBS_TO_PROXY", TraceObservationPoint.TO_PROXY),
    TO_HOST(2, "OBS_TO_HOST", TraceObservationPoint.TO_HOST),
    TO_STACK(3, "OBS_TO_STACK", TraceObservationPoint.TO_STACK),
    TO_OVERLAY(4, "OBS_TO_OVERLAY", TraceObservationPoint.TO_OVERLAY),
    FROM_ENDPOINT(5, "OBS_FROM_ENDPOINT", TraceObservationPoint.FROM_ENDPOINT),
    FROM_PROXY(6, "OBS_FROM_PROXY", TraceObservationPoint.FROM_PROXY),
    FROM_HOST(7, "OBS_FROM_HOST", TraceObservationPoint.FROM_HOST),
    FROM_STACK(8, "OBS_FROM_STACK", TraceObservationPoint.FROM_STACK),
    FROM_OVERLAY(9, "OBS_FROM_OVERLAY", TraceObservationPoint.FROM_OVERLAY),
    FROM_NETWORK(10, "OBS_FROM_NETWORK", TraceObservationPoint.FROM_NETWORK),
    TO_NETWORK(11, "OBS_TO_NETWORK", TraceObservationPoint.TO_NETWORK);

    private static final ObservationPoint[] BY_CODE = values();

    private final int code;
    private final String cName;
    private final TraceObservationPoint proto;

    ObservationPoint(int code, String cName, TraceObservationPoint proto) {
        this.code = code;
        this.cName = cName;
        this.proto = proto;
    }

    public int code() {
        return code;
    }

    /** The enumerator's name in flows_event.h. */
    public String cName() {
        return cName;
    }

    public TraceObservationPoint proto() {
        return proto;
    }

    /** The name Hubble's CLI prints and accepts after "trace:": "to-endpoint", "from-network". */
    public String text() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * The direction of the connection relative to the endpoint, as Hubble reports it: packets
     * leaving a pod belong to an egress connection unless they are replies, and the reverse.
     */
    public TrafficDirection direction(Boolean isReply) {
        boolean egress;
        if (this == FROM_ENDPOINT) {
            egress = true;
        } else if (this == TO_ENDPOINT) {
            egress = false;
        } else {
            return TrafficDirection.TRAFFIC_DIRECTION_UNKNOWN;
        }
        if (Boolean.TRUE.equals(isReply)) {
            egress = !egress;
        }
        return egress ? TrafficDirection.EGRESS : TrafficDirection.INGRESS;
    }

    /** The point with this code, or null. */
    public static ObservationPoint of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
