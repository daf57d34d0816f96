package dev.flows.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Removes a lab: the processes it recorded (only if their start time still matches, so a reused
 * PID is never killed), every process left inside a lab namespace, the namespaces, the root link,
 * the collectors' BPF pin dirs and the state. Also removes leftovers with the lab's name prefixes
 * when the state is gone. Idempotent.
 */
public final class LabDown {
    private static final List<String> PREFIXES = List.of("flows-node-", "flows-pod-", LabNames.FABRIC_NETNS, LabNames.WORLD_NETNS);
    private static final long TERM_GRACE_MS = 5000;
    private static final long LINK_GONE_MS = 10_000;

    private final Commands sh;
    private final LabState state;
    private final Consumer<String> progress;

    public LabDown(LabState state, Consumer<String> progress) {
        this(new Commands(), state, progress);
    }

    LabDown(Commands sh, LabState state, Consumer<String> progress) {
        this.sh = sh;
        this.state = state;
        this.progress = progress;
    }

    /** Removes everything; returns how many things were removed. */
    public int down() {
        int removed = 0;
        Set<String> namespaces = new LinkedHashSet<>();
        List<String> recorded = new ArrayList<>(state.netns());
        java.util.Collections.reverse(recorded);
        namespaces.addAll(recorded);
        namespaces.addAll(labNamespacesPresent(sh));
        namespaces.retainAll(present());

        List<ProcessHandle> victims = new ArrayList<>();
        for (LabState.Proc p : state.everyProcess()) {
            if (LabState.alive(p)) {
                ProcessHandle.of(p.pid()).ifPresent(victims::add);
                progress.accept("stopping " + p.role() + " (pid " + p.pid() + ")");
            }
        }
        for (String ns : namespaces) {
            for (String pid : sh.run(List.of("ip", "netns", "pids", ns)).out().split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
                        progress.accept("stopping pid " + h.pid() + " left in " + ns);
                        victims.add(h);
                    });
                }
            }
        }
        removed += stop(victims);

        for (String ns : namespaces) {
            progress.accept("deleting netns " + ns);
            sh.check("ip", "netns", "delete", ns);
            removed++;
        }
        Set<String> links = new LinkedHashSet<>(state.links());
        links.add(LabNames.ROOT_LINK);
        for (String link : links) {
            // Deleting the fabric namespace usually took the veth pair with it already.
            if (linkExists(sh, link)) {
                progress.accept("deleting link " + link);
                if (!sh.tryRun("ip", "link", "delete", link) && linkExists(sh, link)) {
                    sh.check("ip", "link", "delete", link);
                }
                removed++;
            }
        }
        awaitGone(LabNames.ROOT_LINK);
        for (String dir : state.pinDirs()) {
            removed += deleteTree(Path.of(dir));
        }
        Path pinRoot = Path.of(LabNames.PIN_ROOT);
        try (Stream<Path> s = Files.isDirectory(pinRoot) ? Files.list(pinRoot) : Stream.empty()) {
            if (Files.isDirectory(pinRoot) && s.findAny().isEmpty()) {
                Files.delete(pinRoot);
            }
        } catch (IOException e) {
            throw new LabException("cannot remove " + pinRoot + ": " + e.getMessage());
        }
        if (state.exists()) {
            removed++;
        }
        deleteTree(state.dir());
        return removed;
    }

    private int stop(List<ProcessHandle> victims) {
        if (victims.isEmpty()) {
            return 0;
        }
        victims.forEach(ProcessHandle::destroy);
        long deadline = System.currentTimeMillis() + TERM_GRACE_MS;
        while (System.currentTimeMillis() < deadline && victims.stream().anyMatch(ProcessHandle::isAlive)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ProcessHandle h : victims) {
            if (h.isAlive()) {
                progress.accept("pid " + h.pid() + " ignored SIGTERM; sending SIGKILL");
                h.destroyForcibly();
            }
        }
        for (ProcessHandle h : victims) {
            try {
                h.onExit().get(TERM_GRACE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new LabException("pid " + h.pid() + " did not exit after SIGKILL");
            }
        }
        return victims.size();
    }

    private int deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        progress.accept("removing " + dir);
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
            return 1;
        } catch (IOException e) {
            throw new LabException("cannot remove " + dir + ": " + e);
        }
    }

    private Set<String> present() {
        Set<String> out = new LinkedHashSet<>();
        for (String line : sh.check("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                out.add(line.strip().split("\\s+")[0]);
            }
        }
        return out;
    }

    /** Network namespaces whose names are the lab's (flows-node-*, flows-pod-*, flows-fabric, flows-world). */
    static List<String> labNamespacesPresent(Commands sh) {
        List<String> out = new ArrayList<>();
        for (String line : sh.check("ip", "netns", "list").split("\n")) {
            String name = line.isBlank() ? "" : line.strip().split("\\s+")[0];
            if (PREFIXES.stream().anyMatch(p -> p.endsWith("-") ? name.startsWith(p) : name.equals(p))) {
                out.add(name);
            }
        }
        return out;
    }

    /**
     * The kernel tears a deleted namespace down on a work queue, and the root end of a veth whose
     * peer lived there can outlive the namespace's name by a moment: down returns only when the
     * link is really gone, so a lab brought up right after never meets it as a leftover.
     */
    private void awaitGone(String link) {
        long deadline = System.currentTimeMillis() + LINK_GONE_MS;
        while (linkExists(sh, link)) {
            if (System.currentTimeMillis() > deadline) {
                throw new LabException("link " + link + " is still there " + LINK_GONE_MS / 1000
                        + " s after the lab's namespaces were deleted; run 'flows lab down' again");
            }
            sh.tryRun("ip", "link", "delete", link);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for link " + link + " to go");
            }
        }
    }

    static boolean linkExists(Commands sh, String link) {
        return sh.tryRun("ip", "link", "show", "dev", link);
    }
}
