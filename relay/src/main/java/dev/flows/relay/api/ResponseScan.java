package dev.flows.relay.api;

/**
 * Reads from a serialized GetFlowsResponse only what the merge needs: which of its oneof it holds
 * and its time (the flow's own time for a flow, the response's time otherwise), walking the
 * protobuf wire format without building any object. Everything else is skipped by its length.
 *
 * <p>Protobuf's parsing rules are kept where they change the answer, as protobuf-java (our CLI's
 * parser) applies them: the last oneof field wins; every occurrence of the flow is merged into one
 * (so each Timestamp field keeps its last value), even across another oneof field between them; a
 * known field number with an unexpected wire type is an unknown field. Bytes that break the wire
 * format at the levels read here (truncated, a length past its end, a bad wire type or group), or
 * a time outside Timestamp's range, give {@link RawResponse.Kind#MALFORMED}; nothing here throws.
 * What lies inside the flow beyond its time is not checked, and goes to the client as it came:
 * collectors serialise with protobuf, so their bytes parse. The price: a flow corrupt deeper down,
 * for which the relay used to fail that collector's stream, would now fail the client's instead.
 *
 * <p>Field numbers from observer.proto (GetFlowsResponse), flow.proto (Flow.time) and
 * google/protobuf/timestamp.proto.
 */
final class ResponseScan {
    private static final int FLOW = 1, NODE_STATUS = 2, LOST_EVENTS = 3, TIME = 1001;
    private static final int FLOW_TIME = 1;
    private static final int SECONDS = 1, NANOS = 2;
    private static final int VARINT = 0, I64 = 1, LEN = 2, SGROUP = 3, EGROUP = 4, I32 = 5;
    /** Groups nested deeper than protobuf's own default recursion limit are refused, not followed. */
    private static final int MAX_GROUP_DEPTH = 100;
    /** Timestamp's valid range (0001-01-01 to 9999-12-31), as com.google.protobuf.util.Timestamps. */
    private static final long MIN_SECONDS = -62_135_596_800L, MAX_SECONDS = 253_402_300_799L;

    private final byte[] b;
    /** Where the response ends in {@link #b}. */
    private final int limit;
    private int pos;

    private ResponseScan(byte[] b, int offset, int limit) {
        this.b = b;
        this.pos = offset;
        this.limit = limit;
    }

    /** Thrown inside the scan only: the bytes are not well-formed protobuf. */
    private static final class Malformed extends Exception {
        private static final Malformed INSTANCE = new Malformed();

        private Malformed() {
            super(null, null, false, false);
        }
    }

    /** The response the bytes hold, with its kind and time; MALFORMED if they are not a GetFlowsResponse. */
    static RawResponse scan(byte[] bytes) {
        return scan(bytes, 0, bytes.length);
    }

    /** The same for the response that is {@code length} bytes of {@code array} from {@code offset}. */
    static RawResponse scan(byte[] array, int offset, int length) {
        try {
            return new ResponseScan(array, offset, offset + length).response(offset, length);
        } catch (Malformed e) {
            return new RawResponse(array, offset, length, RawResponse.Kind.MALFORMED, 0);
        }
    }

    private RawResponse response(int offset, int length) throws Malformed {
        RawResponse.Kind kind = RawResponse.Kind.OTHER;
        // [seconds, nanos] of Flow.time and of GetFlowsResponse.time, as merged so far
        long[] flowTime = new long[2];
        long[] time = new long[2];
        while (pos < limit) {
            int tag = tag();
            int field = tag >>> 3, type = tag & 7;
            if (type == LEN && field == FLOW) {
                kind = RawResponse.Kind.FLOW;
                flow(end(), flowTime);
            } else if (type == LEN && (field == NODE_STATUS || field == LOST_EVENTS)) {
                kind = field == NODE_STATUS ? RawResponse.Kind.NODE_STATUS : RawResponse.Kind.LOST_EVENTS;
                pos = end();
            } else if (type == LEN && field == TIME) {
                timestamp(end(), time);
            } else {
                skip(field, type);
            }
        }
        long[] t = kind == RawResponse.Kind.FLOW ? flowTime : time;
        return new RawResponse(b, offset, length, kind, nanos(t));
    }

    /** Reads a Flow up to {@code end}, merging each occurrence of its time into {@code t}. */
    private void flow(int end, long[] t) throws Malformed {
        while (pos < end) {
            int tag = tag();
            int field = tag >>> 3, type = tag & 7;
            if (type == LEN && field == FLOW_TIME) {
                timestamp(end(), t);
            } else {
                skip(field, type);
            }
            if (pos > end) {
                throw Malformed.INSTANCE;
            }
        }
    }

    /** Reads a Timestamp up to {@code end} into {@code t} = [seconds, nanos]. */
    private void timestamp(int end, long[] t) throws Malformed {
        while (pos < end) {
            int tag = tag();
            int field = tag >>> 3, type = tag & 7;
            if (type == VARINT && field == SECONDS) {
                t[0] = varint();
            } else if (type == VARINT && field == NANOS) {
                t[1] = (int) varint(); // int32: a negative value is sent as ten bytes
            } else {
                skip(field, type);
            }
            if (pos > end) {
                throw Malformed.INSTANCE;
            }
        }
    }

    private static long nanos(long[] t) throws Malformed {
        if (t[0] < MIN_SECONDS || t[0] > MAX_SECONDS || t[1] < 0 || t[1] > 999_999_999L) {
            throw Malformed.INSTANCE;
        }
        try {
            // beyond ±292 years from 1970 a time does not fit in long nanoseconds
            return Math.addExact(Math.multiplyExact(t[0], 1_000_000_000L), t[1]);
        } catch (ArithmeticException e) {
            throw Malformed.INSTANCE;
        }
    }

    /** A length-delimited field's length, checked against the bytes left; returns where it ends. */
    private int end() throws Malformed {
        int len = (int) varint(); // a length is 32 bits: protobuf drops the rest of a longer varint
        if (len < 0 || len > limit - pos) {
            throw Malformed.INSTANCE;
        }
        return pos + len;
    }

    /** A field's tag: 32 bits as protobuf reads it, of which the field number must not be 0. */
    private int tag() throws Malformed {
        int tag = (int) varint();
        if (tag >>> 3 == 0) {
            throw Malformed.INSTANCE;
        }
        return tag;
    }

    /** Skips a field we do not read, of any valid wire type (a group with everything in it). */
    private void skip(int field, int type) throws Malformed {
        skip(field, type, 0);
    }

    private void skip(int field, int type, int depth) throws Malformed {
        switch (type) {
            case VARINT -> varint();
            case I64 -> fixed(8);
            case I32 -> fixed(4);
            case LEN -> pos = end();
            case SGROUP -> {
                if (depth >= MAX_GROUP_DEPTH) {
                    throw Malformed.INSTANCE;
                }
                while (true) {
                    if (pos >= limit) {
                        throw Malformed.INSTANCE;
                    }
                    int tag = tag();
                    int inner = tag >>> 3, innerType = tag & 7;
                    if (innerType == EGROUP) {
                        if (inner != field) {
                            throw Malformed.INSTANCE;
                        }
                        return;
                    }
                    skip(inner, innerType, depth + 1);
                }
            }
            default -> throw Malformed.INSTANCE; // an end-group without its start, or wire type 6 or 7
        }
    }

    private void fixed(int n) throws Malformed {
        if (n > limit - pos) {
            throw Malformed.INSTANCE;
        }
        pos += n;
    }

    private long varint() throws Malformed {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw Malformed.INSTANCE;
            }
            byte x = b[pos++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw Malformed.INSTANCE; // more than ten bytes
    }
}
