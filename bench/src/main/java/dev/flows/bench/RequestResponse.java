package dev.flows.bench;

import dev.flows.lab.Netns;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP request/response workload between the bench's pods: echo servers in the server pods, and
 * a client whose calls run on a thread inside the client pod. Every message is {@value #MESSAGE}
 * bytes, answered by as many; Nagle is off on both ends, so one call is one round trip.
 */
final class RequestResponse implements AutoCloseable {
    static final int MESSAGE = 64;
    private static final int TIMEOUT_MS = 2000;
    /**
     * First byte of a request after which the server closes. The server closing first keeps
     * TIME_WAIT on its side: thousands of them on the client would make each connect() search
     * longer for a free port, a cost of the client's kernel and not of the path measured.
     */
    private static final byte LAST = 1;

    private final List<ServerSocket> servers = new ArrayList<>();
    private final ExecutorService client;

    private RequestResponse(ExecutorService client) {
        this.client = client;
    }

    /** Starts one echo server per server pod and the client's thread. */
    static RequestResponse start(Netns netns) {
        RequestResponse rr = new RequestResponse(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                netns.enter(BenchNetwork.CLIENT);
                r.run();
            }, "bench client");
            t.setDaemon(true);
            return t;
        }));
        try {
            for (int i = 0; i < BenchNetwork.SERVERS.size(); i++) {
                String ns = BenchNetwork.SERVERS.get(i);
                String ip = BenchNetwork.SERVER_IPS.get(i);
                ExecutorService once = Executors.newSingleThreadExecutor(r -> new Thread(() -> {
                    netns.enter(ns);
                    r.run();
                }, "bench server " + ns));
                try {
                    rr.servers.add(NodeCollector.call(once, () -> {
                        ServerSocket s = new ServerSocket();
                        s.setReuseAddress(true);
                        s.bind(new InetSocketAddress(ip, BenchNetwork.SERVER_PORT), 1024);
                        // started from a thread in the pod: it and its connection threads stay there
                        daemon("bench accept " + ns, () -> accept(s));
                        return s;
                    }));
                } finally {
                    once.shutdown();
                }
            }
            return rr;
        } catch (RuntimeException e) {
            rr.close();
            throw e;
        }
    }

    private static void accept(ServerSocket server) {
        // pooled: a thread started per connection would cost more than the connection itself;
        // the pool's threads are made by this one, so they live in the pod's namespace too
        ExecutorService connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bench echo");
            t.setDaemon(true);
            return t;
        });
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.execute(() -> echo(s));
            } catch (IOException e) {
                connections.shutdown();
                return; // closed
            }
        }
    }

    private static void echo(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[MESSAGE];
            do {
                in.readFully(buf);
                out.write(buf);
            } while (buf[0] != LAST);
        } catch (IOException e) {
            // the client closed: the end of this connection's calls
        }
    }

    /** Calls per second over one connection kept open for the whole duration. */
    double persistentRate(InetSocketAddress target, Duration length) {
        return NodeCollector.call(client, () -> {
            try (Socket s = connect(target)) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[MESSAGE];
                long calls = 0;
                long start = System.nanoTime();
                long end = start + length.toNanos();
                long now;
                do {
                    out.write(buf);
                    readFully(in, buf);
                    calls++;
                    now = System.nanoTime();
                } while (now < end);
                return calls * 1e9 / (now - start);
            }
        });
    }

    /** Calls per second with a new connection per call (connect, one round trip, close). */
    double newConnectionRate(InetSocketAddress target, Duration length) {
        return NodeCollector.call(client, () -> {
            byte[] buf = new byte[MESSAGE];
            long calls = 0;
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long now;
            do {
                oneCall(target, buf);
                calls++;
                now = System.nanoTime();
            } while (now < end);
            return calls * 1e9 / (now - start);
        });
    }

    /**
     * New connections (one call each) at {@code perSecond} for {@code length}, paced against the
     * clock so a late call does not shift the ones after it; returns the calls per second made.
     */
    double pacedNewConnections(InetSocketAddress target, int perSecond, Duration length) {
        return NodeCollector.call(client, () -> {
            byte[] buf = new byte[MESSAGE];
            long interval = 1_000_000_000L / perSecond;
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long calls = 0;
            for (long due = start; due < end; due += interval) {
                long early = due - System.nanoTime();
                if (early > 0) {
                    LockSupport.parkNanos(early);
                }
                oneCall(target, buf);
                calls++;
            }
            return calls * 1e9 / (System.nanoTime() - start);
        });
    }

    /** Nanoseconds from connect() to the first answer of each of {@code n} new connections, sorted. */
    long[] connectLatencies(InetSocketAddress target, int n) {
        return NodeCollector.call(client, () -> {
            byte[] buf = new byte[MESSAGE];
            long[] ns = new long[n];
            for (int i = 0; i < n; i++) {
                ns[i] = oneCall(target, buf);
            }
            Arrays.sort(ns);
            return ns;
        });
    }

    /** One call on a new connection; returns the time to the answer (the server's close, awaited, is not timed). */
    private static long oneCall(InetSocketAddress target, byte[] buf) throws IOException {
        long t0 = System.nanoTime();
        try (Socket s = connect(target)) {
            buf[0] = LAST;
            s.getOutputStream().write(buf);
            InputStream in = s.getInputStream();
            readFully(in, buf);
            long t = System.nanoTime() - t0;
            if (in.read() != -1) {
                throw new IOException("the server sent more than one answer");
            }
            return t;
        }
    }

    private static Socket connect(InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(target, TIMEOUT_MS);
        s.setSoTimeout(TIMEOUT_MS);
        return s;
    }

    private static void readFully(InputStream in, byte[] buf) throws IOException {
        int off = 0;
        while (off < buf.length) {
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
            off += n;
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        for (ServerSocket s : servers) {
            try {
                s.close();
            } catch (IOException e) {
                // closing a listening socket: nothing to lose
            }
        }
        client.shutdownNow();
    }
}
