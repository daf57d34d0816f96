package dev.flows.collector.bpf;

/**
 * C sizes and offsets of the libbpf and kernel structs we fill from Java.
 *
 * <p>Why not jnr {@code Struct}: it leaves out C's trailing padding, and libbpf rejects opts whose
 * {@code sz} is not the C size. BpfNativeLayoutTest compares every constant with {@code offsetof} and
 * {@code sizeof} printed by bpf/probe/native_layout.c.
 */
final class NativeLayout {
    private NativeLayout() {}

    static final int OPEN_OPTS_SIZE = 80;
    static final int OPEN_OPTS_OBJECT_NAME = 8;

    static final int TC_HOOK_SIZE = 24;
    static final int TC_HOOK_IFINDEX = 8;
    static final int TC_HOOK_ATTACH_POINT = 12;
    static final int TC_HOOK_PARENT = 16;

    static final int TC_OPTS_SIZE = 32;
    static final int TC_OPTS_PROG_FD = 8;
    static final int TC_OPTS_FLAGS = 12;
    static final int TC_OPTS_PROG_ID = 16;
    static final int TC_OPTS_HANDLE = 20;
    static final int TC_OPTS_PRIORITY = 24;

    static final int TEST_RUN_OPTS_SIZE = 80;
    static final int TEST_RUN_DATA_IN = 8;
    static final int TEST_RUN_DATA_OUT = 16;
    static final int TEST_RUN_DATA_SIZE_IN = 24;
    static final int TEST_RUN_DATA_SIZE_OUT = 28;
    static final int TEST_RUN_CTX_IN = 32;
    static final int TEST_RUN_CTX_SIZE_IN = 48;
    static final int TEST_RUN_RETVAL = 56;
    static final int TEST_RUN_REPEAT = 60;

    static final int SK_BUFF_SIZE = 192;
    static final int SK_BUFF_IFINDEX = 40;

    static final int EPOLL_EVENT_SIZE = 12;
    static final int EPOLL_EVENT_DATA = 4;

    /** We read only the first fields of struct bpf_map_info; the kernel accepts a short buffer. */
    static final int MAP_INFO_SIZE = 88;
    static final int MAP_INFO_TYPE = 0;
    static final int MAP_INFO_KEY_SIZE = 8;
    static final int MAP_INFO_VALUE_SIZE = 12;
    static final int MAP_INFO_MAX_ENTRIES = 16;
    static final int MAP_INFO_MAP_FLAGS = 20;

    /** enum bpf_map_type: the kinds whose entries the kernel hands out in batches */
    static final int BPF_MAP_TYPE_HASH = 1;
    static final int BPF_MAP_TYPE_ARRAY = 2;
    static final int BPF_MAP_TYPE_LRU_HASH = 9;

    /** bpf_map_update_elem flags */
    static final int BPF_ANY = 0;
    static final int BPF_NOEXIST = 1;

    /** enum bpf_tc_attach_point */
    static final int BPF_TC_INGRESS = 1;
    static final int BPF_TC_EGRESS = 2;
    /** BPF_TC_F_REPLACE */
    static final int BPF_TC_F_REPLACE = 1;
}
