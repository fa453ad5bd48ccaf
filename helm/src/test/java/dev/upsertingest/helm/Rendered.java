package dev.upsertingest.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/** What the chart rendered, as typed Kubernetes objects (custom resources as generic ones). */
record Rendered(List<HasMetadata> objects) {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ValidatorFactory VALIDATION = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory();

    static Rendered parse(String manifests) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : manifests.split("(?m)^---\\s*$")) {
            boolean empty = document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"));
            if (!empty) {
                objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
            }
        }
        return new Rendered(List.copyOf(objects));
    }

    /** Resource names: release "prod" + chart "upsert-ingest" + the component's suffix. */
    static String name(String suffix) {
        return Chart.RELEASE + "-upsert-ingest" + (suffix.isEmpty() ? "" : "-" + suffix);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new NoSuchElementException(
                "no " + type.getSimpleName() + " " + name + " in " + objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList()));
    }

    /** Custom resources (ScaledObject, ServiceMonitor, PrometheusRule) by kind. */
    List<GenericKubernetesResource> custom(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(r -> r.getKind().equals(kind)).toList();
    }

    Deployment deployment(String component) {
        return get(Deployment.class, name(component));
    }

    Job migrationJob() {
        return get(Job.class, name("migrations"));
    }

    Container container(String component) {
        return deployment(component).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    List<PodSpec> podSpecs() {
        List<PodSpec> specs = new ArrayList<>();
        all(Deployment.class).forEach(d -> specs.add(d.getSpec().getTemplate().getSpec()));
        all(Job.class).forEach(j -> specs.add(j.getSpec().getTemplate().getSpec()));
        return specs;
    }

    /** The env var of a container, by name. */
    static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no env " + name + " in " + container.getEnv().stream().map(EnvVar::getName).toList()));
    }

    /** The application.yml the chart rendered for a component (worker, api), as text. */
    String applicationYamlText(String component) {
        ConfigMap configMap = get(ConfigMap.class, name(component));
        return configMap.getData().get("application.yml");
    }

    /** The same, parsed. */
    @SuppressWarnings("unchecked")
    Map<String, Object> applicationYaml(String component) {
        return new Yaml().loadAs(applicationYamlText(component), Map.class);
    }

    /**
     * A Spring Boot binder over a component's rendered application.yml, the way the application binds it: relaxed
     * names, Boot's conversions (durations, data sizes, lenient enums) and bean validation. Placeholders
     * (${INGEST_DB_PASSWORD}, ...) resolve from {@code environment}, standing for the container's environment.
     */
    ConfigBinder binder(String component, Map<String, Object> environment) {
        try {
            List<PropertySource<?>> yaml = new YamlPropertySourceLoader().load("application.yml",
                    new ByteArrayResource(applicationYamlText(component).getBytes(StandardCharsets.UTF_8)));
            MutablePropertySources forPlaceholders = new MutablePropertySources();
            yaml.forEach(forPlaceholders::addLast);
            forPlaceholders.addLast(new MapPropertySource("environment", new LinkedHashMap<>(environment)));
            Binder binder = new Binder(ConfigurationPropertySources.from(yaml),
                    new PropertySourcesPlaceholdersResolver(forPlaceholders), ApplicationConversionService.getSharedInstance());
            return new ConfigBinder(binder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record ConfigBinder(Binder binder) {

        /** Binds like {@code @ConfigurationProperties(prefix)}: defaults for what is absent, then validation. */
        <T> T bind(String prefix, Class<T> type) {
            BindHandler validating = new ValidationBindHandler(new SpringValidatorAdapter(VALIDATION.getValidator()));
            return binder.bindOrCreate(prefix, Bindable.of(type), validating);
        }

        /** Binds onto an existing JavaBean (Hikari's config, Resilience4j's properties), as Boot does. */
        <T> T bindOnto(String prefix, T bean) {
            @SuppressWarnings("unchecked")
            Class<T> type = (Class<T>) bean.getClass();
            return binder.bind(prefix, Bindable.of(type).withExistingValue(bean)).orElse(bean);
        }

        <T> T value(String name, Class<T> type) {
            return binder.bind(name, type).orElseThrow(() -> new NoSuchElementException(name + " is not set"));
        }
    }
}
