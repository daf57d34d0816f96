package dev.flows.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import dev.flows.observer.filter.FlowEntry;
import dev.flows.observer.filter.FilterException;
import dev.flows.observer.filter.FlowSelection;
import dev.flows.proto.flow.Flow;
import dev.flows.proto.observer.GetFlowsRequest;
import dev.flows.proto.observer.GetFlowsResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code observe --input-file}: answers a GetFlowsRequest from JSON lines instead of a server,
 * with the collector's own selection code ({@link FlowSelection}: filters, since/until, number,
 * first), so a file gives the same answer as a server holding the same flows.
 *
 * <p>Each line is a GetFlowsResponse as {@code -o json} prints it, or a bare Flow. Node status
 * lines are skipped: a server's history holds only flows and loss notices.
 */
public final class FlowFile {
    private final JsonFormat.Parser parser = JsonFormat.parser();

    /**
     * The responses {@code req} selects from {@code file} ("-": stdin), as a server holding the same
     * flows would send them. The flag is named in the error when the file cannot be read.
     */
    public static List<GetFlowsResponse> read(GetFlowsRequest req, Path file) {
        if (file.toString().equals("-")) {
            return new FlowFile().answer(req, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), "stdin");
        }
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new FlagException("--input-file", file.toString(), "a readable file of JSON flows (as -o json prints them), or - for stdin");
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new FlowFile().answer(req, in, file.toString());
        } catch (IOException e) {
            throw new CliFailure("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The responses the request selects, in the order a server would send them. */
    List<GetFlowsResponse> answer(GetFlowsRequest req, BufferedReader in, String name) {
        FlowSelection selection;
        try {
            selection = FlowSelection.of(req);
        } catch (FilterException e) {
            throw new FlagException(e.getMessage());
        }
        List<GetFlowsResponse> responses = new ArrayList<>();
        List<FlowEntry> history = new ArrayList<>();
        try {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                GetFlowsResponse r = parse(line, name, n);
                FlowEntry e = entry(history.size(), r);
                if (e != null) {
                    history.add(e);
                    responses.add(r);
                }
            }
        } catch (IOException e) {
            throw new CliFailure("cannot read " + name + ": " + e.getMessage());
        }
        List<GetFlowsResponse> out = new ArrayList<>();
        for (FlowEntry e : selection.select(history)) {
            out.add(responses.get((int) e.seq()));
        }
        return out;
    }

    private static FlowEntry entry(long seq, GetFlowsResponse r) {
        return switch (r.getResponseTypesCase()) {
            case FLOW -> new FlowEntry(seq, Timestamps.toNanos(r.getFlow().getTime()), r.getFlow(), null);
            case LOST_EVENTS -> new FlowEntry(seq, Timestamps.toNanos(r.getTime()), null, r.getLostEvents());
            default -> null;
        };
    }

    /** A GetFlowsResponse line, else a bare Flow line (wrapped as the server would send it). */
    private GetFlowsResponse parse(String line, String name, int n) {
        GetFlowsResponse.Builder r = GetFlowsResponse.newBuilder();
        try {
            parser.merge(line, r);
            if (r.getResponseTypesCase() != GetFlowsResponse.ResponseTypesCase.RESPONSETYPES_NOT_SET) {
                return r.build();
            }
        } catch (InvalidProtocolBufferException e) {
            // not a response: try a bare flow
        }
        Flow.Builder f = Flow.newBuilder();
        try {
            parser.merge(line, f);
        } catch (InvalidProtocolBufferException e) {
            String shown = line.length() > 60 ? line.substring(0, 60) + "..." : line;
            throw new CliFailure(name + " line " + n + ": not a JSON flow or GetFlowsResponse (as -o json prints them): " + shown);
        }
        return GetFlowsResponse.newBuilder().setFlow(f).setNodeName(f.getNodeName()).setTime(f.getTime()).build();
    }
}
