package dev.flows.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.deser.BeanDeserializerBuilder;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * Rendered objects, each read strictly into fabric8's model class for its kind: a field the class
 * does not have fails, as does a duplicate key or a kind the chart is not meant to make.
 */
final class Manifests {
    /** apiVersion/kind → model class: every kind the chart may render. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("apps/v1/DaemonSet", DaemonSet.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
            Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class),
            // fabric8 8.0.0's monitoring model is not on Maven Central: read generically, checked by hand
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", GenericKubernetesResource.class),
            // cert-manager's model is not fabric8's: read generically, checked by hand
            Map.entry("cert-manager.io/v1/Certificate", GenericKubernetesResource.class));

    /**
     * fabric8's classes keep unknown fields in an any-setter (additionalProperties), which would
     * swallow a misspelt field; without it, Jackson's FAIL_ON_UNKNOWN_PROPERTIES applies. The
     * generic resource is the exception: it is all additional properties.
     */
    static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new SimpleModule("strict").setDeserializerModifier(new ValueDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config,
                        BeanDescription.Supplier bean, BeanDeserializerBuilder builder) {
                    if (bean.getBeanClass() != GenericKubernetesResource.class) {
                        builder.setAnySetter(null);
                    }
                    return builder;
                }
            }))
            .build();

    private final List<HasMetadata> objects;

    private Manifests(List<HasMetadata> objects) {
        this.objects = objects;
    }

    /** Parses `helm template` output; an object that does not fit names its template and field. */
    static Manifests parse(String rendered) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : rendered.split("(?m)^---\\s*$")) {
            String source = doc.lines().filter(l -> l.startsWith("# Source: ")).findFirst()
                    .map(l -> l.substring("# Source: ".length())).orElse("(no source)");
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            Object yaml;
            try {
                yaml = new Yaml(new SafeConstructor(options)).load(doc);
            } catch (RuntimeException e) {
                throw new AssertionError(source + ": " + e.getMessage().replace('\n', ' '), e);
            }
            if (yaml == null) {
                continue;
            }
            if (!(yaml instanceof Map<?, ?> map)) {
                throw new AssertionError(source + ": not an object");
            }
            String type = map.get("apiVersion") + "/" + map.get("kind");
            Class<? extends HasMetadata> cls = KINDS.get(type);
            if (cls == null) {
                throw new AssertionError(source + ": unexpected kind " + type);
            }
            try {
                objects.add(STRICT.convertValue(map, cls));
            } catch (DatabindException e) {
                throw new AssertionError(source + ": " + e.getOriginalMessage() + " at " + e.getPathReference(), e);
            }
        }
        return new Manifests(objects);
    }

    List<HasMetadata> all() {
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> kind, String name) {
        return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    /** The one object of that kind and name; fails naming what is missing. */
    <T extends HasMetadata> T get(Class<T> kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
    }

    /** The pod templates of the DaemonSets, then of the Deployments. */
    List<PodTemplateSpec> podTemplates() {
        return Stream.concat(all(DaemonSet.class).stream().map(d -> d.getSpec().getTemplate()),
                all(Deployment.class).stream().map(d -> d.getSpec().getTemplate())).toList();
    }

    List<PodSpec> podSpecs() {
        return podTemplates().stream().map(PodTemplateSpec::getSpec).toList();
    }

    List<GenericKubernetesResource> serviceMonitors() {
        return generic("ServiceMonitor");
    }

    List<GenericKubernetesResource> certificates() {
        return generic("Certificate");
    }

    private List<GenericKubernetesResource> generic(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(o -> kind.equals(o.getKind())).toList();
    }
}
