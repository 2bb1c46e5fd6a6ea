package io.shoal.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * {@code shoal_build_info{version,commit,java}}: always 1, labelled with what this daemon runs, as
 * Prometheus's build-info convention has it (a dashboard joins on it, or lists the versions of a
 * fleet during a rolling upgrade). The version and commit come from the build's
 * {@code io/shoal/api/build.properties} when it has one, else from this module's
 * {@code build-info.properties} (the version; the commit is then {@code unknown}).
 */
final class BuildInfoGauge {
    private BuildInfoGauge() {}

    static void register(MeterRegistry registry) {
        Properties p = load("/io/shoal/api/build.properties");
        if (p.getProperty("version") == null) {
            p = load("/io/shoal/node/build-info.properties");
        }
        Gauge.builder("shoal.build.info", () -> 1)
                .tag("version", p.getProperty("version", "unknown").trim())
                .tag("commit", p.getProperty("commit", "unknown").trim())
                .tag("java", System.getProperty("java.runtime.version", System.getProperty("java.version", "unknown")))
                .description("Always 1: what this daemon runs, in its labels").strongReference(true).register(registry);
    }

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = BuildInfoGauge.class.getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a build without the file: the labels say unknown
        }
        return p;
    }
}
