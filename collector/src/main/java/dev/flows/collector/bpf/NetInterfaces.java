package dev.flows.collector.bpf;

import java.util.LinkedHashMap;
import java.util.Map;
import jnr.ffi.Pointer;

/**
 * The network interfaces of the calling thread's network namespace, so the collector can attach
 * to every pod veth ({@code lxc*}) and to the uplink.
 */
public final class NetInterfaces {
    private NetInterfaces() {}

    /** Interface name to ifindex, in the kernel's order. */
    public static Map<String, Integer> list() {
        LibC c = Native.c();
        Pointer list = c.if_nameindex();
        if (list == null || list.address() == 0) {
            int errno = Native.errno();
            throw new BpfException("if_nameindex: " + Native.strerror(errno), errno);
        }
        try {
            Map<String, Integer> out = new LinkedHashMap<>();
            // struct if_nameindex { unsigned int if_index; char *if_name; }: 16 bytes on 64-bit
            for (long off = 0; ; off += 16) {
                int index = list.getInt(off);
                Pointer name = list.getPointer(off + 8);
                if (index == 0 && (name == null || name.address() == 0)) {
                    return out;
                }
                out.put(name.getString(0), index);
            }
        } finally {
            c.if_freenameindex(list);
        }
    }

    /** The ifindex of the named interface; throws when there is none. */
    public static int index(String ifname) {
        int index = Native.c().if_nametoindex(ifname);
        if (index == 0) {
            int errno = Native.errno();
            throw new BpfException("no interface " + ifname + ": " + Native.strerror(errno), errno);
        }
        return index;
    }
}
