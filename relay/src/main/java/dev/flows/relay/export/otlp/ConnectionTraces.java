package dev.flows.relay.export.otlp;

import dev.flows.proto.flow.Flow;
import dev.flows.proto.flow.TCPFlags;
import dev.flows.relay.export.ConnectionKey;
import io.opentelemetry.context.Context;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which trace a flow belongs to: one trace per connection. The relay remembers, per
 * direction-agnostic {@link ConnectionKey}, when it first saw the connection; the trace id is
 * derived from the key and that start, so every later flow of the connection (the reply, the
 * other node's observations) gets the same id. A connection is forgotten when it has been idle for
 * {@code idle} (flow time) or when the table is full (least recently seen first, counted); a TCP
 * SYN without ACK later (in flow time) than the connection's FIN or RST starts a new trace at
 * once, so a reused 4-tuple is a new trace; an older SYN that arrives late (another node's
 * observation, delayed past the close) still joins the connection's trace.
 *
 * <p>Not thread-safe: the exporter calls it from its one export thread.
 */
final class ConnectionTraces {
    /** One remembered connection: its trace and, as a context, the first span: the parent of the rest. */
    static final class Connection {
        final String traceId;
        final long startNanos;
        long lastNanos;
        /** Flow time of the first FIN or RST seen; Long.MAX_VALUE while open. */
        long closedNanos = Long.MAX_VALUE;
        /** Built once per connection, not per span. */
        Context parent;

        Connection(String traceId, long startNanos) {
            this.traceId = traceId;
            this.startNanos = startNanos;
            this.lastNanos = startNanos;
        }
    }

    private final long idleNanos;
    private final int capacity;
    private final MessageDigest sha256;
    private volatile long evicted;
    /** Access order: the eldest entry is the least recently seen connection. */
    private final LinkedHashMap<ByteBuffer, Connection> table;

    ConnectionTraces(Duration idle, int capacity) {
        this.idleNanos = idle.toNanos();
        this.capacity = capacity;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        this.table = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Connection> eldest) {
                if (size() > ConnectionTraces.this.capacity) {
                    evicted++;
                    return true;
                }
                return false;
            }
        };
    }

    /** The connection of this flow, remembered or new; null when the flow has no addresses. */
    Connection of(Flow f) {
        ConnectionKey key = ConnectionKey.of(f);
        if (key == null) {
            return null;
        }
        long t = f.getTime().getSeconds() * 1_000_000_000L + f.getTime().getNanos();
        expire(t);
        ByteBuffer k = ByteBuffer.wrap(key.bytes());
        Connection c = table.get(k);
        boolean tcp = f.getL4().hasTCP();
        TCPFlags flags = f.getL4().getTCP().getFlags();
        if (c != null && (t - c.lastNanos > idleNanos || t > c.closedNanos && tcp && flags.getSYN() && !flags.getACK())) {
            table.remove(k);
            c = null;
        }
        if (c == null) {
            c = new Connection(traceId(k.array(), t), t);
            table.put(k, c);
        }
        c.lastNanos = Math.max(c.lastNanos, t);
        if (tcp && (flags.getFIN() || flags.getRST())) {
            c.closedNanos = Math.min(c.closedNanos, t);
        }
        return c;
    }

    /** Forgets connections idle for longer than the idle time, oldest first, up to the first that is not. */
    private void expire(long now) {
        Iterator<Connection> it = table.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().lastNanos <= idleNanos) {
                return;
            }
            it.remove();
        }
    }

    /**
     * The trace id of a connection: the first 16 bytes of SHA-256 over the key's bytes and its
     * start (ns since the epoch, big-endian), in lowercase hex as OpenTelemetry writes it.
     */
    String traceId(byte[] key, long startNanos) {
        sha256.update(key);
        sha256.update(ByteBuffer.allocate(Long.BYTES).putLong(0, startNanos));
        byte[] digest = sha256.digest();
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    /** Connections forgotten because the table was full. */
    long evicted() {
        return evicted;
    }

    int size() {
        return table.size();
    }
}
