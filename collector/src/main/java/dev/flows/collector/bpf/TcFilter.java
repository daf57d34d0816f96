package dev.flows.collector.bpf;

import jnr.ffi.Pointer;

/**
 * Our tc filter on one side (ingress or egress) of one interface's clsact qdisc.
 *
 * <p>It always uses the same handle and priority, so attaching again replaces a filter a crashed
 * run left behind (tc filters outlive their process) instead of stacking a second one, and
 * detaching removes exactly ours, never the qdisc, which other software may use.
 */
final class TcFilter {
    /** "flow" in the handle; a priority of its own so we never replace another tool's filter. */
    static final int HANDLE = 0xf10e;
    static final int PRIORITY = 0xf1;
    private static final int EEXIST = 17;
    private static final int ENOENT = 2;

    private TcFilter() {}

    static void attach(int ifindex, int attachPoint, int progFd, String what) {
        LibBpf bpf = Native.bpf();
        Pointer hook = hook(ifindex, attachPoint);
        int ret = bpf.bpf_tc_hook_create(hook);
        if (ret < 0 && ret != -EEXIST) {
            Native.check(ret, "creating clsact qdisc for " + what);
        }
        Pointer opts = opts();
        opts.putInt(NativeLayout.TC_OPTS_PROG_FD, progFd);
        opts.putInt(NativeLayout.TC_OPTS_FLAGS, NativeLayout.BPF_TC_F_REPLACE);
        Native.check(bpf.bpf_tc_attach(hook, opts), "attaching " + what);
    }

    /** Removes our filter; false when there was none (already gone with its interface, say). */
    static boolean detach(int ifindex, int attachPoint, String what) {
        int ret = Native.bpf().bpf_tc_detach(hook(ifindex, attachPoint), opts());
        if (ret == -ENOENT || ret == -19 /* ENODEV: the interface is gone */) {
            return false;
        }
        Native.check(ret, "detaching " + what);
        return true;
    }

    /** The id of the program in our filter slot, or 0 when the slot is empty. */
    static int query(int ifindex, int attachPoint) {
        Pointer opts = opts();
        int ret = Native.bpf().bpf_tc_query(hook(ifindex, attachPoint), opts);
        if (ret == -ENOENT || ret == -22 /* EINVAL: no clsact qdisc */) {
            return 0;
        }
        Native.check(ret, "querying tc filter on ifindex " + ifindex);
        return opts.getInt(NativeLayout.TC_OPTS_PROG_ID);
    }

    private static Pointer hook(int ifindex, int attachPoint) {
        Pointer hook = Native.alloc(NativeLayout.TC_HOOK_SIZE);
        hook.putLong(0, NativeLayout.TC_HOOK_SIZE);
        hook.putInt(NativeLayout.TC_HOOK_IFINDEX, ifindex);
        hook.putInt(NativeLayout.TC_HOOK_ATTACH_POINT, attachPoint);
        return hook;
    }

    private static Pointer opts() {
        Pointer opts = Native.alloc(NativeLayout.TC_OPTS_SIZE);
        opts.putLong(0, NativeLayout.TC_OPTS_SIZE);
        opts.putInt(NativeLayout.TC_OPTS_HANDLE, HANDLE);
        opts.putInt(NativeLayout.TC_OPTS_PRIORITY, PRIORITY);
        return opts;
    }
}
