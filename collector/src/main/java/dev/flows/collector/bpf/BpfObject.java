package dev.flows.collector.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.logging.Logger;
import jnr.ffi.Pointer;
import jnr.ffi.byref.NativeLongByReference;

/**
 * One BPF object from the jar's /bpf resources, opened from memory, configured, its shared maps
 * pinned under a directory, and loaded into the kernel.
 */
final class BpfObject implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BpfObject.class.getName());

    /** Maps shared by every object of a node and kept across restarts. */
    static final Set<String> PINNED_MAPS = Set.of("events", "events_lost", "flows_agg", MapLayout.CT, MapLayout.NAT,
            MapLayout.LB_SERVICES, MapLayout.LB_BACKENDS, MapLayout.LB_REVNAT, MapLayout.LB_MAGLEV,
            MapLayout.IPCACHE, MapLayout.POLICY, MapLayout.ENDPOINTS, ServiceOptionCounters.MAP);
    static final String RING_MAP = "events";
    static final String LOST_MAP = "events_lost";

    private final String name;
    private final LibBpf bpf = Native.bpf();
    private Pointer obj;
    /** libbpf reads the ELF image during open and load: keep the buffers reachable (notes, pitfall 2). */
    @SuppressWarnings("unused")
    private final Pointer image;
    @SuppressWarnings("unused")
    private final Pointer openOpts;
    @SuppressWarnings("unused")
    private final Pointer objName;

    private BpfObject(String name, Pointer image, Pointer openOpts, Pointer objName, Pointer obj) {
        this.name = name;
        this.image = image;
        this.openOpts = openOpts;
        this.objName = objName;
        this.obj = obj;
    }

    /** Opens /bpf/{name}.bpf.o, writes config into .rodata, pins shared maps in pinDir and loads. */
    static BpfObject load(String name, Path pinDir, int ringBytes, BpfConfig config) {
        LibBpf bpf = Native.bpf();
        byte[] elf = readResource("/bpf/" + name + ".bpf.o");
        Pointer image = Native.alloc(elf.length);
        image.put(0, elf, 0, elf.length);
        Pointer objName = Native.alloc(name.length() + 1);
        objName.putString(0, name, name.length() + 1, java.nio.charset.StandardCharsets.US_ASCII);
        Pointer opts = Native.alloc(NativeLayout.OPEN_OPTS_SIZE);
        opts.putLong(0, NativeLayout.OPEN_OPTS_SIZE);
        opts.putPointer(NativeLayout.OPEN_OPTS_OBJECT_NAME, objName);
        Pointer obj = bpf.bpf_object__open_mem(image, elf.length, opts);
        if (obj == null || obj.address() == 0) {
            int errno = Native.errno();
            throw new BpfException("opening BPF object " + name + ": " + Native.strerror(errno), errno);
        }
        BpfObject o = new BpfObject(name, image, opts, objName, obj);
        try {
            o.prepareMaps(pinDir, ringBytes, config);
            Native.check(bpf.bpf_object__load(obj), "loading BPF object " + name + " (pins in " + pinDir + ")");
            return o;
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    private void prepareMaps(Path pinDir, int ringBytes, BpfConfig config) {
        for (Pointer map = bpf.bpf_object__next_map(obj, null); map != null && map.address() != 0;
                map = bpf.bpf_object__next_map(obj, map)) {
            String mapName = bpf.bpf_map__name(map);
            if (mapName.endsWith(".rodata")) {
                writeConfig(map, config);
            } else if (PINNED_MAPS.contains(mapName)) {
                if (mapName.equals(RING_MAP)) {
                    Native.check(bpf.bpf_map__set_max_entries(map, ringBytes), "sizing ring buffer of " + name);
                }
                Path pin = pinDir.resolve(mapName);
                dropIncompatiblePin(map, pin);
                Native.check(bpf.bpf_map__set_pin_path(map, pin.toString()), "setting pin path " + pin);
            }
        }
    }

    private void writeConfig(Pointer map, BpfConfig config) {
        NativeLongByReference size = new NativeLongByReference();
        Pointer rodata = bpf.bpf_map__initial_value(map, size);
        if (rodata == null || size.longValue() < BpfConfig.SIZE) {
            throw new BpfException(name + ": .rodata holds " + size.longValue()
                    + " bytes, expected struct flows_config (" + BpfConfig.SIZE + ")", 0);
        }
        byte[] bytes = config.toBytes();
        rodata.put(0, bytes, 0, bytes.length);
    }

    /**
     * libbpf refuses to load when a pin does not match the map definition (e.g. a different ring
     * size after a configuration change): such a stale pin is removed so the load pins a new map.
     */
    private void dropIncompatiblePin(Pointer map, Path pin) {
        if (!Files.exists(pin)) {
            return;
        }
        int fd = bpf.bpf_obj_get(pin.toString());
        if (fd < 0) {
            throw new BpfException("opening pinned map " + pin + ": " + Native.strerror(Native.errno()), Native.errno());
        }
        try {
            Pointer info = Native.alloc(NativeLayout.MAP_INFO_SIZE);
            Pointer len = Native.alloc(4);
            len.putInt(0, NativeLayout.MAP_INFO_SIZE);
            Native.check(bpf.bpf_obj_get_info_by_fd(fd, info, len), "reading pinned map " + pin);
            boolean same = info.getInt(NativeLayout.MAP_INFO_TYPE) == bpf.bpf_map__type(map)
                    && info.getInt(NativeLayout.MAP_INFO_KEY_SIZE) == bpf.bpf_map__key_size(map)
                    && info.getInt(NativeLayout.MAP_INFO_VALUE_SIZE) == bpf.bpf_map__value_size(map)
                    && info.getInt(NativeLayout.MAP_INFO_MAX_ENTRIES) == bpf.bpf_map__max_entries(map)
                    && info.getInt(NativeLayout.MAP_INFO_MAP_FLAGS) == bpf.bpf_map__map_flags(map);
            if (!same) {
                LOG.warning("pinned map " + pin + " does not match this build (max_entries "
                        + info.getInt(NativeLayout.MAP_INFO_MAX_ENTRIES) + ", want " + bpf.bpf_map__max_entries(map)
                        + "); replacing it");
                Files.delete(pin);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing stale pin " + pin, e);
        } finally {
            Native.c().close(fd);
        }
    }

    int programFd(String program) {
        Pointer prog = bpf.bpf_object__find_program_by_name(obj, program);
        if (prog == null || prog.address() == 0) {
            return -1;
        }
        return bpf.bpf_program__fd(prog);
    }

    int mapFd(String mapName) {
        for (Pointer map = bpf.bpf_object__next_map(obj, null); map != null && map.address() != 0;
                map = bpf.bpf_object__next_map(obj, map)) {
            if (bpf.bpf_map__name(map).equals(mapName)) {
                return bpf.bpf_map__fd(map);
            }
        }
        throw new BpfException(name + " has no map " + mapName, 0);
    }

    /** The map with its key and value sizes. */
    BpfMap map(String mapName) {
        for (Pointer map = bpf.bpf_object__next_map(obj, null); map != null && map.address() != 0;
                map = bpf.bpf_object__next_map(obj, map)) {
            if (bpf.bpf_map__name(map).equals(mapName)) {
                return new BpfMap(mapName, bpf.bpf_map__fd(map), bpf.bpf_map__type(map), bpf.bpf_map__key_size(map),
                        bpf.bpf_map__value_size(map));
            }
        }
        throw new BpfException(name + " has no map " + mapName, 0);
    }

    String name() {
        return name;
    }

    /** Closes the object's fds; pinned maps stay, and so do attached tc filters. */
    @Override
    public void close() {
        if (obj != null) {
            bpf.bpf_object__close(obj);
            obj = null;
        }
    }

    private static byte[] readResource(String path) {
        try (InputStream in = BpfObject.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the class path: was bpf/build.sh run by the build?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }
}
