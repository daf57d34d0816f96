package dev.flows.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The arguments a container's program receives: its args, with each {@code @FILE} replaced by
 * the tokens of that file as it is mounted from the settings ConfigMap. The expansion is
 * picocli's own (the version the jars are built with), over a command that declares nothing, so
 * quoting and escaping are read exactly as the collector and relay will read them.
 */
final class ContainerArgs {
    private ContainerArgs() {
    }

    static List<String> of(Manifests m, Container c) {
        List<String> out = new ArrayList<>();
        for (String arg : c.getArgs()) {
            out.addAll(arg.startsWith("@") ? expand(fileContent(m, c, Path.of(arg.substring(1)))) : List.of(arg));
        }
        return out;
    }

    private static List<String> expand(String content) {
        try {
            Path file = Files.createTempFile("flows-args", ".args");
            try {
                Files.writeString(file, content);
                CommandSpec spec = CommandSpec.create();
                spec.parser().unmatchedArgumentsAllowed(true);
                CommandLine cl = new CommandLine(spec);
                cl.parseArgs("@" + file);
                return cl.getUnmatchedArguments();
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ConfigMap key behind a file of a container, through its volume mount. */
    private static String fileContent(Manifests m, Container c, Path file) {
        VolumeMount mount = c.getVolumeMounts().stream().filter(v -> file.startsWith(v.getMountPath())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + ": " + file + " is on no volume"));
        Volume volume = pod(m, c).getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + ": no volume " + mount.getName()));
        if (volume.getConfigMap() == null) {
            throw new AssertionError(c.getName() + ": " + file + " is not from a ConfigMap");
        }
        String path = Path.of(mount.getMountPath()).relativize(file).toString();
        String key = volume.getConfigMap().getItems().stream().filter(i -> i.getPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + ": no item " + path + " in volume " + volume.getName()))
                .getKey();
        ConfigMap cm = m.get(ConfigMap.class, volume.getConfigMap().getName());
        String content = cm.getData().get(key);
        if (content == null) {
            throw new AssertionError(cm.getMetadata().getName() + " has no key " + key);
        }
        return content;
    }

    private static PodSpec pod(Manifests m, Container c) {
        return m.podSpecs().stream().filter(p -> p.getContainers().contains(c)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " is in no pod"));
    }
}
