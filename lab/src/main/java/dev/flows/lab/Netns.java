package dev.flows.lab;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;

/**
 * Moves the calling thread into a named network namespace with setns(2). Sockets the thread
 * creates afterwards, and threads it starts, live in that namespace; the rest of the process is
 * untouched.
 */
public final class Netns {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    /** The few libc calls needed. */
    public interface LibC {
        int open(String path, int flags);

        int setns(int fd, int nstype);

        int close(int fd);
    }

    private final LibC libc;

    public Netns() {
        this.libc = LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());
    }

    /** Enters /run/netns/NAME on the calling thread. */
    public void enter(String name) {
        String path = "/run/netns/" + name;
        int fd = libc.open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new LabException("cannot open network namespace " + path + " (does it exist?)");
        }
        try {
            if (libc.setns(fd, CLONE_NEWNET) != 0) {
                throw new LabException("setns(" + path + ", CLONE_NEWNET) failed (needs CAP_SYS_ADMIN)");
            }
        } finally {
            libc.close(fd);
        }
    }
}
