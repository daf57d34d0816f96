package dev.flows.collector.datapath;

import java.util.List;

/** The service maps as ServiceProgrammer uses them: {@link LbMaps} in production, a recorder in tests. */
public interface ServiceMaps {
    /** See {@link LbMaps#program}. */
    void program(Frontend f, int id, List<Backend> backends, short[] maglevTable, int previousCount);

    /** See {@link LbMaps#remove}. */
    void remove(Frontend f, int id, int count);

    /** What is programmed now (a restarted collector adopts it). */
    List<LbMaps.Programmed> readAll();

    /** The backends programmed for a frontend id. */
    List<Backend> backends(int id, int count);
}
