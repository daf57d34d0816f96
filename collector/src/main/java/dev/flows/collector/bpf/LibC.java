package dev.flows.collector.bpf;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;

/**
 * The libc functions the collector calls, bound with jnr-ffi: memory mapping of the ring, epoll,
 * interface names and the boot-time clock the BPF programs stamp events with.
 */
public interface LibC {
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    long MAP_FAILED = -1L;
    int EPOLL_CLOEXEC = 0x80000;
    int EPOLL_CTL_ADD = 1;
    int EPOLLIN = 1;
    int CLOCK_BOOTTIME = 7;
    int SC_PAGESIZE = 30;

    /**
     * Returns the mapping, whose address is {@link #MAP_FAILED} on failure. Declared with Pointer
     * and size_t/off_t types: with plain {@code long} parameters jnr passed arguments that the
     * kernel rejected (EINVAL even for anonymous maps).
     */
    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    int munmap(Pointer addr, @size_t long length);

    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, Pointer event);

    int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis);

    int close(int fd);

    Pointer if_nameindex();

    void if_freenameindex(Pointer list);

    int if_nametoindex(String name);

    int clock_gettime(int clock, Pointer timespec);

    long sysconf(int name);

    String strerror(int errnum);

    int vsnprintf(Pointer buf, @size_t long size, Pointer format, Pointer args);

    static LibC load() {
        return LibraryLoader.create(LibC.class).load("c");
    }
}
