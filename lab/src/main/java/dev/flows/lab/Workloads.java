package dev.flows.lab;

import dev.flows.cluster.ClusterState;
import dev.flows.cluster.YamlClusterLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lab's workload process: one JVM whose threads enter pod network namespaces (setns) and
 * run the servers and clients that the pods' annotations describe. Started detached by
 * {@link LabUp}; stopped by {@link LabDown} with SIGTERM.
 *
 * <p>Usage: {@code Workloads CLUSTER_YAML}. Prints a summary of call outcomes every 30 s.
 */
public final class Workloads {
    private static final int TIMEOUT_MS = 1000;
    /** How long a server waits for a request line: long enough to hold a connection across a collector restart. */
    private static final int SERVER_IDLE_MS = 30_000;

    private final Netns netns;
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    Workloads(Netns netns) {
        this.netns = netns;
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: Workloads CLUSTER_YAML");
            System.exit(2);
        }
        ClusterState state = new YamlClusterLoader(n -> {}).load(Path.of(args[0]));
        List<WorkloadSpec.PodWorkload> workloads = WorkloadSpec.of(state);
        Workloads w = new Workloads(new Netns());
        CountDownLatch ready = new CountDownLatch(workloads.size());
        for (WorkloadSpec.PodWorkload pw : workloads) {
            w.startPod(pw, ready);
        }
        ready.await();
        System.out.println(Instant.now() + " workloads running in " + workloads.size() + " pods");
        while (true) {
            Thread.sleep(30_000);
            System.out.println(Instant.now() + " " + new java.util.TreeMap<>(w.outcomes));
        }
    }

    /** One thread per pod: enter its namespace, then start its servers and clients from there. */
    void startPod(WorkloadSpec.PodWorkload pw, CountDownLatch ready) {
        Thread t = new Thread(() -> {
            try {
                netns.enter(pw.netns());
                InetAddress self = InetAddress.getByName(pw.pod().podIP());
                for (WorkloadSpec.Serve s : pw.serves()) {
                    if (s.protocol().equals("tcp")) {
                        ServerSocket server = new ServerSocket();
                        server.setReuseAddress(true);
                        server.bind(new InetSocketAddress(self, s.port()), 128);
                        daemon("tcp-server " + pw.pod().fullName() + ":" + s.port(), () -> serveTcp(server, pw.pod().fullName()));
                    } else {
                        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(self, s.port()));
                        daemon("udp-server " + pw.pod().fullName() + ":" + s.port(), () -> serveUdp(socket, pw.pod().fullName()));
                    }
                }
                for (WorkloadSpec.Call c : pw.calls()) {
                    daemon("client " + pw.pod().fullName() + " -> " + c.target() + ":" + c.port(), () -> callLoop(pw, c));
                }
            } catch (IOException | RuntimeException e) {
                System.err.println(Instant.now() + " pod " + pw.pod().fullName() + ": " + e.getMessage());
            } finally {
                ready.countDown();
            }
        }, "pod " + pw.pod().fullName());
        t.setDaemon(true);
        t.start();
    }

    // Threads are started from the pod's thread so they inherit its network namespace.
    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private void serveTcp(ServerSocket server, String pod) {
        while (true) {
            try {
                Socket s = server.accept();
                daemon("conn " + pod, () -> {
                    try (s) {
                        s.setSoTimeout(SERVER_IDLE_MS);
                        String request = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                        OutputStream out = s.getOutputStream();
                        out.write(("200 " + pod + " " + request + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException e) {
                        count("server-error " + pod);
                    }
                });
            } catch (IOException e) {
                count("accept-error " + pod);
            }
        }
    }

    private void serveUdp(DatagramSocket socket, String pod) {
        byte[] buf = new byte[1500];
        while (true) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] answer = ("answer " + pod).getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException e) {
                count("udp-server-error " + pod);
            }
        }
    }

    private void callLoop(WorkloadSpec.PodWorkload pw, WorkloadSpec.Call c) {
        String key = pw.pod().fullName() + " -> " + c.protocol() + "://" + c.target() + ":" + c.port();
        InetSocketAddress target = new InetSocketAddress(c.targetIP(), c.port());
        while (true) {
            try {
                Thread.sleep(c.intervalMs());
            } catch (InterruptedException e) {
                return;
            }
            String outcome = c.protocol().equals("tcp") ? callTcp(target, pw.pod().fullName()) : callUdp(target, pw.pod().fullName());
            count(key + " " + outcome);
        }
    }

    /** One TCP call: new connection, one request line, one answer line, close. */
    static String callTcp(InetSocketAddress target, String from) {
        try (Socket s = new Socket()) {
            s.connect(target, TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            s.getOutputStream().write(("GET from " + from + "\n").getBytes(StandardCharsets.UTF_8));
            String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return answer == null ? "no-answer" : "ok";
        } catch (java.net.ConnectException e) {
            return "refused";
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return "error";
        }
    }

    /** One UDP call: one datagram, wait for one answer. */
    static String callUdp(InetSocketAddress target, String from) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(TIMEOUT_MS);
            byte[] q = ("query from " + from).getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(q, q.length, target));
            byte[] buf = new byte[1500];
            s.receive(new DatagramPacket(buf, buf.length));
            return "ok";
        } catch (SocketTimeoutException e) {
            return "timeout";
        } catch (IOException e) {
            return "error";
        }
    }

    private void count(String key) {
        outcomes.computeIfAbsent(key, k -> new LongAdder()).increment();
    }
}
