package dev.flows.lab;

import dev.flows.observer.tls.ServerNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lab's journal: one line per thing the lab is about to create, appended BEFORE it is
 * created, so that {@code lab down} after a crash (of the CLI or of the machine's patience) finds
 * everything. Lines are {@code key=value}; keys repeat.
 *
 * <pre>
 * cluster=/abs/path/cluster.yaml
 * netns=flows-fabric
 * link=flows-lab0
 * tls=/run/flows-lab/tls                    (the lab's CA and certificates: see LabTls)
 * pindir=/sys/fs/bpf/flows/node-a
 * collector=node-a 172.20.0.2:4244
 * relay=127.0.0.1:4245
 * process=collector-node-a 4242 123456     (role, pid, start time in clock ticks since boot)
 * process=collector-node-a 5151 234567     (restarted: the later line of a role is the live one)
 * </pre>
 */
public final class LabState {
    public static final String FILE = "state";

    /** A process the lab started; the start time tells it apart from a later process with the same PID. */
    public record Proc(String role, long pid, long startTime) {}

    /** A node's collector endpoint. */
    public record Collector(String node, String address) {}

    /** Where clients connect while the lab is up, and the name its certificate carries when the lab speaks TLS. */
    public record Entry(String address, String serverName) {}

    private final Path dir;

    public LabState(Path dir) {
        this.dir = dir;
    }

    /** The state dir from FLOWS_LAB_DIR, else /run/flows-lab. */
    public static LabState fromEnvironment() {
        String env = System.getenv("FLOWS_LAB_DIR");
        return new LabState(Path.of(env == null || env.isBlank() ? LabNames.DEFAULT_STATE_DIR : env));
    }

    public Path dir() {
        return dir;
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    public boolean exists() {
        return Files.exists(file());
    }

    void create() {
        try {
            Files.createDirectories(dir);
            Files.writeString(file(), "", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new LabException("a lab is already up (state " + file() + "); run 'flows lab down' first");
        } catch (IOException e) {
            throw new LabException("cannot create lab state " + file() + ": " + e.getMessage());
        }
    }

    void append(String key, String value) {
        try {
            Files.writeString(file(), key + "=" + value + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new LabException("cannot write lab state " + file() + ": " + e.getMessage());
        }
    }

    List<String> values(String key) {
        List<String> out = new ArrayList<>();
        if (!exists()) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file(), StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0 && line.substring(0, eq).equals(key)) {
                    out.add(line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot read lab state " + file() + ": " + e.getMessage());
        }
        return out;
    }

    public List<String> netns() {
        return values("netns");
    }

    public List<String> links() {
        return values("link");
    }

    public List<String> pinDirs() {
        return values("pindir");
    }

    public Optional<String> clusterFile() {
        return values("cluster").stream().findFirst();
    }

    /**
     * The lab's processes as they are now: per role, the one started last (a restarted collector
     * is journaled again under its role and replaces the one before), in the order roles appeared.
     */
    public List<Proc> processes() {
        Map<String, Proc> latest = new LinkedHashMap<>();
        everyProcess().forEach(p -> latest.put(p.role(), p));
        return List.copyOf(latest.values());
    }

    /** Every process the lab ever started, replaced ones included: what lab down must make sure is gone. */
    public List<Proc> everyProcess() {
        return values("process").stream().map(v -> v.split(" ")).filter(a -> a.length == 3)
                .map(a -> new Proc(a[0], Long.parseLong(a[1]), Long.parseLong(a[2]))).toList();
    }

    public List<Collector> collectors() {
        return values("collector").stream().map(v -> v.split(" ")).filter(a -> a.length == 2)
                .map(a -> new Collector(a[0], a[1])).toList();
    }

    /** The relay's address, if the lab started one. */
    public Optional<String> relay() {
        return values("relay").stream().findFirst();
    }

    /** The lab's certificates, if it made them (it does whenever it starts collectors). */
    public Optional<LabTls> tls() {
        return values("tls").stream().findFirst().map(d -> new LabTls(Path.of(d)));
    }

    /** Where observe connects by default while a lab is up: the relay, else the first node's collector. */
    public Optional<Entry> entryPoint() {
        return relay().map(r -> new Entry(r, ServerNames.RELAY)).or(() -> collectors().stream().findFirst().map(LabState::entry));
    }

    /** The lab's relay or collector at host:port, if it is one of them. */
    public Optional<Entry> endpoint(String address) {
        return relay().filter(address::equals).map(r -> new Entry(r, ServerNames.RELAY))
                .or(() -> collectors().stream().filter(c -> c.address().equals(address)).findFirst().map(LabState::entry));
    }

    private static Entry entry(Collector c) {
        return new Entry(c.address(), ServerNames.collector(c.node()));
    }

    void remove() {
        try {
            Files.deleteIfExists(file());
        } catch (IOException e) {
            throw new LabException("cannot remove lab state " + file() + ": " + e.getMessage());
        }
    }

    /** Start time of a live process (field 22 of /proc/PID/stat), or -1 if it is gone. */
    public static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(rest[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** True if the recorded process is still the one the lab started. */
    public static boolean alive(Proc p) {
        return startTime(p.pid()) == p.startTime();
    }
}
