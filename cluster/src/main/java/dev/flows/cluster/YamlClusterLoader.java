package dev.flows.cluster;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads ordinary Kubernetes YAML (a file, or a folder of *.yaml / *.yml files, each possibly
 * multi-document) into a {@link ClusterState}: the lab and the embedded default describe their
 * cluster with the same files one would apply to a real one.
 *
 * <p>Kinds Node, Namespace, Pod, Service, EndpointSlice and NetworkPolicy are read; other kinds
 * are skipped with a note. Every error is a single line naming the file, the object, the bad value
 * and what would be valid, so a user can fix the YAML without reading a stack trace.
 */
public final class YamlClusterLoader {

    /** Input that does not describe a valid cluster; the message is one line for the user. */
    public static final class InvalidClusterException extends RuntimeException {
        public InvalidClusterException(String message) {
            super(message);
        }
    }

    // A Deployment's ReplicaSet is "<deployment>-<pod-template-hash>" (Hubble reports the Deployment).

    private final Consumer<String> notes;

    /** @param notes receives one line per skipped object (unsupported kind, empty document) */
    public YamlClusterLoader(Consumer<String> notes) {
        this.notes = notes;
    }

    /** Loads a YAML file, or every *.yaml / *.yml file of a folder in name order. */
    public ClusterState load(Path path) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.list(path)) {
                s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml$")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new InvalidClusterException(path + ": cannot list folder: " + e.getMessage());
            }
            if (files.isEmpty()) {
                throw new InvalidClusterException(path + ": folder has no *.yaml or *.yml files");
            }
        } else if (Files.isRegularFile(path)) {
            files.add(path);
        } else {
            throw new InvalidClusterException(path + ": no such file or folder");
        }
        ClusterBuilder b = new ClusterBuilder();
        for (Path f : files) {
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                read(f.toString(), r, b);
            } catch (IOException e) {
                throw new InvalidClusterException(f + ": cannot read: " + e.getMessage());
            }
        }
        return b.build();
    }

    /** Loads YAML text; {@code source} names it in messages. */
    public ClusterState load(String source, Reader yaml) {
        ClusterBuilder b = new ClusterBuilder();
        read(source, yaml, b);
        return b.build();
    }

    private void read(String file, Reader reader, ClusterBuilder b) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        int index = 0;
        try {
            for (Object doc : yaml.loadAll(reader)) {
                index++;
                if (doc == null) {
                    continue;
                }
                if (!(doc instanceof Map<?, ?> m)) {
                    throw new InvalidClusterException(file + ": document " + index
                            + " is a " + doc.getClass().getSimpleName() + ", expected a Kubernetes object (a mapping with kind and metadata)");
                }
                new YamlObjectReader(file, index, m, notes).readInto(b);
            }
        } catch (YAMLException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ").trim();
            throw new InvalidClusterException(file + ": not valid YAML: " + msg);
        }
    }
}
