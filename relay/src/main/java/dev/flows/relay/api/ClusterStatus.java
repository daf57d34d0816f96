package dev.flows.relay.api;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.UInt32Value;
import dev.flows.proto.observer.GetNodesRequest;
import dev.flows.proto.observer.GetNodesResponse;
import dev.flows.proto.observer.LossCounts;
import dev.flows.proto.observer.Node;
import dev.flows.proto.observer.ObserverGrpc;
import dev.flows.proto.observer.ServerStatusRequest;
import dev.flows.proto.observer.ServerStatusResponse;
import dev.flows.proto.observer.TLS;
import dev.flows.proto.relay.NodeState;
import dev.flows.relay.peers.Peer;
import dev.flows.relay.peers.PeerPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * ServerStatus and GetNodes for the cluster: every connected collector is asked in parallel
 * (bounded by a deadline); one that does not answer counts as unavailable. Flow counts and losses
 * are sums; the relay's own drops are added to event_queue (they are OBSERVER_EVENTS_QUEUE loss),
 * the collector responses it could not read to decode_errors, and what its exporters lost is in
 * exporters.
 */
final class ClusterStatus {
    private static final long DEADLINE_MS = 2000;

    private final PeerPool pool;
    private final RelayClock clock;
    private final RelayLosses losses;
    private final String version;
    private final long startMono;

    ClusterStatus(PeerPool pool, RelayClock clock, RelayLosses losses, String version) {
        this.pool = pool;
        this.clock = clock;
        this.losses = losses;
        this.version = version;
        this.startMono = clock.monoNanos();
    }

    ServerStatusResponse serverStatus() {
        List<Peer> peers = pool.peers();
        List<ListenableFuture<ServerStatusResponse>> calls = new ArrayList<>();
        for (Peer p : peers) {
            calls.add(p.connected() ? stub(p).serverStatus(ServerStatusRequest.getDefaultInstance()) : null);
        }
        long numFlows = 0, maxFlows = 0, seen = 0, kernel = 0, queue = losses.clientQueueDrops(), decode = losses.decodeErrors(), overrun = 0;
        Long servicesUnnamed = null; // only collectors that translate count it
        List<String> unavailable = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            ServerStatusResponse s = await(calls.get(i));
            if (s == null) {
                unavailable.add(peers.get(i).name());
                continue;
            }
            numFlows += s.getNumFlows();
            maxFlows += s.getMaxFlows();
            seen += s.getSeenFlows();
            kernel += s.getFlowsLost().getKernelRing();
            queue += s.getFlowsLost().getEventQueue();
            decode += s.getFlowsLost().getDecodeErrors();
            overrun += s.getFlowsLost().getReaderOverrun();
            if (s.getFlowsLost().hasServicesUnnamed()) {
                servicesUnnamed = (servicesUnnamed == null ? 0 : servicesUnnamed) + s.getFlowsLost().getServicesUnnamed();
            }
        }
        LossCounts.Builder lost = LossCounts.newBuilder().setKernelRing(kernel).setEventQueue(queue)
                .setDecodeErrors(decode).setReaderOverrun(overrun);
        if (losses.hasExporters()) {
            lost.setExporters(losses.exporterLosses());
        }
        if (servicesUnnamed != null) {
            lost.setServicesUnnamed(servicesUnnamed);
        }
        return ServerStatusResponse.newBuilder()
                .setNumFlows(numFlows).setMaxFlows(maxFlows).setSeenFlows(seen)
                .setUptimeNs(Math.max(0, clock.monoNanos() - startMono))
                .setNumConnectedNodes(UInt32Value.of(peers.size() - unavailable.size()))
                .setNumUnavailableNodes(UInt32Value.of(unavailable.size()))
                .addAllUnavailableNodes(unavailable)
                .setVersion(version)
                .setFlowsLost(lost)
                .build();
    }

    GetNodesResponse nodes() {
        List<Peer> peers = pool.peers();
        List<ListenableFuture<GetNodesResponse>> calls = new ArrayList<>();
        for (Peer p : peers) {
            calls.add(p.connected() ? stub(p).getNodes(GetNodesRequest.getDefaultInstance()) : null);
        }
        GetNodesResponse.Builder out = GetNodesResponse.newBuilder();
        for (int i = 0; i < peers.size(); i++) {
            Peer p = peers.get(i);
            GetNodesResponse r = await(calls.get(i));
            if (r != null && r.getNodesCount() > 0) {
                // The collector's own view, with the address the relay reaches it at.
                r.getNodesList().forEach(n -> out.addNodes(n.toBuilder().setAddress(p.address()).setState(NodeState.NODE_CONNECTED)));
            } else {
                out.addNodes(Node.newBuilder().setName(p.name()).setAddress(p.address()).setVersion(p.version())
                        .setState(NodeState.NODE_UNAVAILABLE).setTls(TLS.newBuilder().setEnabled(false)));
            }
        }
        return out.build();
    }

    private static ObserverGrpc.ObserverFutureStub stub(Peer p) {
        return ObserverGrpc.newFutureStub(p.channel()).withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS);
    }

    /** The answer, or null if the peer was not asked or did not answer in time. */
    private static <T> T await(ListenableFuture<T> f) {
        if (f == null) {
            return null;
        }
        try {
            return f.get(DEADLINE_MS + 500, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
