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
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

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

    /** Documents as plain trees, first: one without kind or name is refused before it is typed, in flows' words. */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // a file holds documents one after another
            .build();

    private final Consumer<String> notes;
    private final KubernetesSerialization serialization = new KubernetesSerialization();

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
        int index = 0;
        // document by document: a reading iterator would unwrap a document that is a list
        try (JsonParser docs = YAML.createParser(reader)) {
            while (docs.nextToken() != null) {
                Object doc = YAML.readValue(docs, Object.class);
                index++;
                if (doc == null) {
                    continue;
                }
                if (!(doc instanceof Map<?, ?> m)) {
                    throw new InvalidClusterException(file + ": document " + index
                            + " is a " + doc.getClass().getSimpleName() + ", expected a Kubernetes object (a mapping with kind and metadata)");
                }
                HasMetadata typed = typed(file, index, m);
                if (typed != null) {
                    KubeObjects.fromFile(typed, file, b);
                }
            }
        } catch (StreamReadException e) {
            String msg = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage().replaceAll("\\s+", " ").trim();
            throw new InvalidClusterException(file + ": not valid YAML: " + msg);
        }
    }

    /**
     * The document as fabric8's typed model object of its kind, or null for a kind flows does not
     * read (noted). A field of the wrong shape for the Kubernetes schema (a list where a mapping
     * goes, a word where a number goes) is refused here, naming the field; a field the schema does
     * not know is kept in the object's additional properties and ignored, as the API source must
     * accept what newer servers send.
     */
    private HasMetadata typed(String file, int index, Map<?, ?> doc) {
        FieldChecks at = new FieldChecks(file, "document " + index);
        if (!(doc.get("kind") instanceof String kind) || kind.isBlank()) {
            throw at.fail("has no kind", "kind", doc.get("kind"), "one of " + String.join(", ", KubeObjects.KINDS.keySet()));
        }
        Object metaValue = doc.get("metadata");
        if (metaValue != null && !(metaValue instanceof Map)) {
            throw at.fail("has an invalid metadata", "metadata", metaValue, "a mapping");
        }
        Map<?, ?> meta = metaValue == null ? Map.of() : (Map<?, ?>) metaValue;
        Object nameValue = meta.get("name");
        String name = nameValue == null ? null : String.valueOf(nameValue);
        if (name == null || name.isBlank()) {
            throw new FieldChecks(file, kind + " in document " + index).fail("has no name", "metadata.name", null, "a non-empty name");
        }
        Class<? extends HasMetadata> type = KubeObjects.KINDS.get(kind);
        if (type == null) {
            notes.accept(file + ": skipping " + kind + " " + name + " (flows reads " + String.join(", ", KubeObjects.KINDS.keySet()) + ")");
            return null;
        }
        try {
            return serialization.convertValue(doc, type);
        } catch (IllegalArgumentException wrapped) {
            // convertValue wraps the mapping error, which holds the path to the bad field
            if (!(wrapped.getCause() instanceof DatabindException e)) {
                throw wrapped;
            }
            Object value = valueAt(doc, e.getPath());
            String ns = meta.get("namespace") == null ? null : String.valueOf(meta.get("namespace"));
            throw new FieldChecks(file, KubeObjects.what(kind, ns, name)).fail("has a malformed field", field(e.getPath()), value,
                    "what the Kubernetes " + kind + " schema has there");
        }
    }

    private static String field(List<JacksonException.Reference> path) {
        StringBuilder s = new StringBuilder();
        for (JacksonException.Reference r : path) {
            if (r.getPropertyName() != null) {
                s.append(s.isEmpty() ? "" : ".").append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                s.append('[').append(r.getIndex()).append(']');
            }
        }
        return s.toString();
    }

    private static Object valueAt(Object doc, List<JacksonException.Reference> path) {
        Object at = doc;
        for (JacksonException.Reference r : path) {
            if (r.getPropertyName() != null && at instanceof Map<?, ?> m) {
                at = m.get(r.getPropertyName());
            } else if (r.getIndex() >= 0 && at instanceof List<?> l && r.getIndex() < l.size()) {
                at = l.get(r.getIndex());
            } else {
                return null;
            }
        }
        return at;
    }
}
