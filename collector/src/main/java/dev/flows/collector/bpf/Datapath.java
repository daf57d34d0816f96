package dev.flows.collector.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import jnr.ffi.Pointer;

/**
 * The BPF datapath of one node: pod.bpf.o (pod veths) and uplink.bpf.o (the uplink) loaded with
 * one configuration, their tc filters, and the maps they share.
 *
 * <p>The shared maps (ring buffer {@code events}, {@code events_lost}, the connection, NAT and
 * service maps of {@link MapLayout}, {@code flows_agg}) are pinned under the pin directory, by default
 * {@code /sys/fs/bpf/flows/<node>/}: the two objects use the same maps, and a restarted collector
 * finds its connection table again. A pin that no longer matches the build is replaced.
 * {@link #close()} detaches our filters and closes our fds; the pins stay until
 * {@link #removePins(Path)}.
 *
 * <p>Interface names and ifindexes belong to the network namespace of the calling thread: attach,
 * detach and close from a thread in the namespace of the interfaces (the collector runs inside
 * its node's namespace, so any of its threads will do).
 */
public final class Datapath implements AutoCloseable {
    public static final int DEFAULT_RING_BYTES = 8 << 20;
    /** The ring is mapped twice back to back into one Java buffer: keep it under 2 GiB. */
    public static final int MAX_RING_BYTES = 256 << 20;
    public static final Path PIN_ROOT = Path.of("/sys/fs/bpf/flows");

    private static final String POD_OBJECT = "pod";
    private static final String UPLINK_OBJECT = "uplink";

    private final Path pinDir;
    private final int ringBytes;
    private final BpfObject pod;
    private final BpfObject uplink;
    private final Map<String, Attachment> attached = new LinkedHashMap<>();

    /** Which of our programs sit on an interface. */
    private record Attachment(int ifindex, String ingressProgram, String egressProgram) {}

    private Datapath(Path pinDir, int ringBytes, BpfObject pod, BpfObject uplink) {
        this.pinDir = pinDir;
        this.ringBytes = ringBytes;
        this.pod = pod;
        this.uplink = uplink;
    }

    /** The pin directory of a node, /sys/fs/bpf/flows/{nodeName}. */
    public static Path defaultPinDir(String nodeName) {
        if (nodeName.isEmpty() || nodeName.contains("/") || nodeName.startsWith(".")) {
            throw new IllegalArgumentException("node name must be a plain file name, got '" + nodeName + "'");
        }
        return PIN_ROOT.resolve(nodeName);
    }

    /** Loads the datapath of a node with the default pin directory and ring size. */
    public static Datapath openForNode(String nodeName, BpfConfig config) {
        return open(defaultPinDir(nodeName), DEFAULT_RING_BYTES, config);
    }

    /** Loads both objects with the given ring size (bytes) and configuration, pinning in pinDir. */
    public static Datapath open(Path pinDir, int ringBytes, BpfConfig config) {
        validateRingBytes(ringBytes);
        try {
            Files.createDirectories(pinDir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating pin directory " + pinDir + " (is bpffs mounted?)", e);
        }
        BpfObject pod = BpfObject.load(POD_OBJECT, pinDir, ringBytes, config);
        try {
            return new Datapath(pinDir, ringBytes, pod, BpfObject.load(UPLINK_OBJECT, pinDir, ringBytes, config));
        } catch (RuntimeException e) {
            pod.close();
            throw e;
        }
    }

    static void validateRingBytes(int ringBytes) {
        int page = Native.pageSize();
        if (ringBytes < page || Integer.bitCount(ringBytes) != 1 || ringBytes % page != 0 || ringBytes > MAX_RING_BYTES) {
            throw new IllegalArgumentException("ring buffer size must be a power of two, a multiple of the page size ("
                    + page + ") and at most " + MAX_RING_BYTES + " bytes, got " + ringBytes);
        }
    }

    public Path pinDir() {
        return pinDir;
    }

    public int ringBytes() {
        return ringBytes;
    }

    /** A reader of the shared ring; use it only while this datapath is open. */
    public RingBufferReader openReader() {
        return new RingBufferReader(pod.mapFd(BpfObject.RING_MAP), ringBytes, pod.mapFd(BpfObject.LOST_MAP));
    }

    /**
     * A map shared by the programs (pinned under {@link #pinDir()}): the connection table, the NAT
     * table, the service maps. Names and layouts in {@link MapLayout}.
     */
    public BpfMap map(String name) {
        return pod.map(name);
    }

    /** What became of the option carrying services to backends' nodes (uplink.bpf.o's counters). */
    public ServiceOptionCounters serviceOptionCounters() {
        return ServiceOptionCounters.read(uplink.map(ServiceOptionCounters.MAP));
    }

    /** Attaches from_pod to the veth's ingress and to_pod to its egress (host side of a pod veth). */
    public synchronized void attachPod(String ifname) {
        attach(ifname, pod, "from_pod", "to_pod");
    }

    /** Attaches from_network to the uplink's ingress and to_network to its egress. */
    public synchronized void attachUplink(String ifname) {
        attach(ifname, uplink, "from_network", "to_network");
    }

    private void attach(String ifname, BpfObject obj, String ingress, String egress) {
        int ifindex = NetInterfaces.index(ifname);
        TcFilter.attach(ifindex, NativeLayout.BPF_TC_INGRESS, obj.programFd(ingress), ingress + " on " + ifname + " ingress");
        TcFilter.attach(ifindex, NativeLayout.BPF_TC_EGRESS, obj.programFd(egress), egress + " on " + ifname + " egress");
        attached.put(ifname, new Attachment(ifindex, ingress, egress));
    }

    /** Removes our filters from the interface; a vanished interface is not an error. */
    public synchronized void detach(String ifname) {
        Attachment a = attached.remove(ifname);
        int ifindex = a != null ? a.ifindex() : Native.c().if_nametoindex(ifname);
        if (ifindex == 0) {
            return;
        }
        TcFilter.detach(ifindex, NativeLayout.BPF_TC_INGRESS, "ingress of " + ifname);
        TcFilter.detach(ifindex, NativeLayout.BPF_TC_EGRESS, "egress of " + ifname);
    }

    /** Names of the interfaces this datapath attached to and has not detached. */
    public synchronized Set<String> attachedInterfaces() {
        return Set.copyOf(attached.keySet());
    }

    /** Id of the program in our tc filter slot on the interface's ingress (or egress), 0 if none. */
    public int filterProgramId(String ifname, boolean ingress) {
        return TcFilter.query(NetInterfaces.index(ifname),
                ingress ? NativeLayout.BPF_TC_INGRESS : NativeLayout.BPF_TC_EGRESS);
    }

    /** The kernel id of one of our programs (from_pod, to_pod, from_network, to_network). */
    public int programId(String program) {
        Pointer info = Native.alloc(8); // struct bpf_prog_info: type, then id
        Pointer len = Native.alloc(4);
        len.putInt(0, 8);
        Native.check(Native.bpf().bpf_obj_get_info_by_fd(programFd(program), info, len), "reading info of " + program);
        return info.getInt(4);
    }

    /**
     * Runs a program once on a frame with BPF_PROG_TEST_RUN, as if it arrived on ifindex (which
     * must exist in this namespace; 1 is loopback), and returns the program's return value.
     *
     * @throws BpfException when the kernel refuses the run, e.g. a frame shorter than 14 bytes
     */
    public int testRun(String program, byte[] frame, int ifindex) {
        return testRun(program, frame, ifindex, 1);
    }

    /**
     * Runs a program {@code repeat} times on the same frame in one BPF_PROG_TEST_RUN call, the
     * kernel looping without returning to user space: the way to drive a program at full speed
     * (benchmarks). Returns the last run's return value.
     *
     * @throws IllegalArgumentException when repeat is below 1 (the kernel would run once anyway)
     * @throws BpfException when the kernel refuses the run, or a signal interrupted it (EINTR)
     */
    public int testRun(String program, byte[] frame, int ifindex, int repeat) {
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, got " + repeat);
        }
        Pointer data = Native.alloc(Math.max(frame.length, 1));
        data.put(0, frame, 0, frame.length);
        Pointer ctx = Native.alloc(NativeLayout.SK_BUFF_SIZE);
        ctx.putInt(NativeLayout.SK_BUFF_IFINDEX, ifindex);
        Pointer opts = Native.alloc(NativeLayout.TEST_RUN_OPTS_SIZE);
        opts.putLong(0, NativeLayout.TEST_RUN_OPTS_SIZE);
        opts.putPointer(NativeLayout.TEST_RUN_DATA_IN, data);
        opts.putInt(NativeLayout.TEST_RUN_DATA_SIZE_IN, frame.length);
        opts.putPointer(NativeLayout.TEST_RUN_CTX_IN, ctx);
        opts.putInt(NativeLayout.TEST_RUN_CTX_SIZE_IN, NativeLayout.SK_BUFF_SIZE);
        opts.putInt(NativeLayout.TEST_RUN_REPEAT, repeat);
        int ret = Native.bpf().bpf_prog_test_run_opts(programFd(program), opts);
        if (ret < 0) {
            throw new BpfException("BPF_PROG_TEST_RUN of " + program + " on a " + frame.length
                    + "-byte frame, ifindex " + ifindex + (repeat > 1 ? ", repeat " + repeat : "")
                    + ": " + Native.strerror(-ret), -ret);
        }
        return opts.getInt(NativeLayout.TEST_RUN_RETVAL);
    }

    /** Any Ethernet-sized frame: agg_flush reads no packet, but a test run needs one. */
    private static final byte[] FLUSH_FRAME = new byte[14];

    /**
     * Runs agg_flush (bpf/pod.c) once: every aggregation key whose interval ended with packets
     * not yet reported gets one REPORT_FLUSH trace carrying them. The collector calls it every
     * quarter of the aggregation interval, so no counted packet waits longer than 1.25 intervals.
     *
     * @return how many flush events it wrote (those the full ring refused are in kernelLost)
     */
    public int flushAggregation() {
        return testRun("agg_flush", FLUSH_FRAME, 1);
    }

    /** What one test run returned: the program's return value and the frame as it left. */
    public record TestRun(int retval, byte[] frame) {}

    /**
     * Runs a program once on a frame, as {@link #testRun(String, byte[], int)}, and also returns
     * the frame as the program left it (rewritten addresses, ports, checksums).
     */
    public TestRun testRunFrame(String program, byte[] frame, int ifindex) {
        int room = frame.length + 256;
        Pointer data = Native.alloc(Math.max(frame.length, 1));
        data.put(0, frame, 0, frame.length);
        Pointer out = Native.alloc(room);
        Pointer ctx = Native.alloc(NativeLayout.SK_BUFF_SIZE);
        ctx.putInt(NativeLayout.SK_BUFF_IFINDEX, ifindex);
        Pointer opts = Native.alloc(NativeLayout.TEST_RUN_OPTS_SIZE);
        opts.putLong(0, NativeLayout.TEST_RUN_OPTS_SIZE);
        opts.putPointer(NativeLayout.TEST_RUN_DATA_IN, data);
        opts.putInt(NativeLayout.TEST_RUN_DATA_SIZE_IN, frame.length);
        opts.putPointer(NativeLayout.TEST_RUN_DATA_OUT, out);
        opts.putInt(NativeLayout.TEST_RUN_DATA_SIZE_OUT, room);
        opts.putPointer(NativeLayout.TEST_RUN_CTX_IN, ctx);
        opts.putInt(NativeLayout.TEST_RUN_CTX_SIZE_IN, NativeLayout.SK_BUFF_SIZE);
        opts.putInt(NativeLayout.TEST_RUN_REPEAT, 1);
        int ret = Native.bpf().bpf_prog_test_run_opts(programFd(program), opts);
        if (ret < 0) {
            throw new BpfException("BPF_PROG_TEST_RUN of " + program + " on a " + frame.length
                    + "-byte frame, ifindex " + ifindex + ": " + Native.strerror(-ret), -ret);
        }
        byte[] result = new byte[opts.getInt(NativeLayout.TEST_RUN_DATA_SIZE_OUT)];
        out.get(0, result, 0, result.length);
        return new TestRun(opts.getInt(NativeLayout.TEST_RUN_RETVAL), result);
    }

    private int programFd(String program) {
        int fd = pod.programFd(program);
        if (fd < 0) {
            fd = uplink.programFd(program);
        }
        if (fd < 0) {
            throw new IllegalArgumentException("no BPF program named " + program
                    + " (from_pod, to_pod, agg_flush, from_network, to_network)");
        }
        return fd;
    }

    /** Detaches our filters and closes our fds. The pinned maps stay for the next run. */
    @Override
    public synchronized void close() {
        for (String ifname : Set.copyOf(attached.keySet())) {
            try {
                detach(ifname);
            } catch (BpfException e) {
                java.util.logging.Logger.getLogger(Datapath.class.getName())
                        .warning("leaving filter on " + ifname + ": " + e.getMessage());
            }
        }
        abandon();
    }

    /** Closes fds but leaves filters attached: what a crash (kill -9) does. For tests. */
    synchronized void abandon() {
        attached.clear();
        pod.close();
        uplink.close();
    }

    /** Removes a pin directory and the maps pinned in it (for `lab down`); missing is fine. */
    public static void removePins(Path pinDir) {
        if (!Files.exists(pinDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(pinDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing pins in " + pinDir, e);
        }
    }
}
