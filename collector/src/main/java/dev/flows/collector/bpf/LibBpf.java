package dev.flows.collector.bpf;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.byref.NativeLongByReference;

/**
 * The libbpf functions the collector calls, bound with jnr-ffi to {@code libbpf.so.1}.
 *
 * <p>Conventions of libbpf (1.x): int functions return {@code -errno}; pointer functions return
 * NULL and set errno. Opts structs are passed as raw memory laid out per {@link NativeLayout}.
 */
public interface LibBpf {
    /** libbpf's print callback: {@code int (*)(enum libbpf_print_level, const char *fmt, va_list)}. */
    interface PrintFn {
        @Delegate
        int print(int level, Pointer format, Pointer args);
    }

    Pointer bpf_object__open_mem(Pointer buf, long size, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__next_map(Pointer obj, Pointer prev);

    String bpf_map__name(Pointer map);

    int bpf_map__fd(Pointer map);

    int bpf_map__type(Pointer map);

    int bpf_map__key_size(Pointer map);

    int bpf_map__value_size(Pointer map);

    int bpf_map__max_entries(Pointer map);

    int bpf_map__map_flags(Pointer map);

    int bpf_map__set_pin_path(Pointer map, String path);

    Pointer bpf_map__initial_value(Pointer map, NativeLongByReference size);

    int bpf_map__set_max_entries(Pointer map, int maxEntries);

    Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    int bpf_program__fd(Pointer prog);

    int bpf_tc_hook_create(Pointer hook);

    int bpf_tc_attach(Pointer hook, Pointer opts);

    int bpf_tc_detach(Pointer hook, Pointer opts);

    int bpf_tc_query(Pointer hook, Pointer opts);

    int bpf_obj_get(String path);

    int bpf_obj_get_info_by_fd(int fd, Pointer info, Pointer infoLen);

    int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

    int bpf_map_delete_elem(int fd, Pointer key);

    /** key NULL: the first key. Returns -ENOENT after the last. */
    int bpf_map_get_next_key(int fd, Pointer key, Pointer nextKey);

    /**
     * Up to {@code *count} entries in one syscall, from the position {@code inBatch} (NULL: the
     * start) to {@code outBatch}; -ENOENT with the last entries once the map is done.
     */
    int bpf_map_lookup_batch(int fd, Pointer inBatch, Pointer outBatch, Pointer keys, Pointer values, Pointer count, Pointer opts);

    int bpf_prog_test_run_opts(int progFd, Pointer opts);

    /** Returns the previous callback's address. */
    Pointer libbpf_set_print(PrintFn fn);

    /** Loads libbpf.so.1 by its full name: the unversioned link exists only with libbpf-dev. */
    static LibBpf load() {
        return LibraryLoader.create(LibBpf.class).load("libbpf.so.1");
    }
}
