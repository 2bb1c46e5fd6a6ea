package io.shoal.node;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shoal.worker.exec.runc.Phases;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerMetricsTest {
    @Test
    void eachStepOfAStartIsATimerWithItsQuantiles() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Phases phases = WorkerMetrics.phases(registry);
        phases.record("create", 40_000_000L);
        phases.record("create", 60_000_000L);
        phases.record("start", 20_000_000L);
        String text = registry.scrape();
        assertTrue(text.contains("shoal_worker_task_phase_seconds_count{phase=\"create\"} 2"), text);
        assertTrue(text.contains("shoal_worker_task_phase_seconds{phase=\"create\",quantile=\"0.5\"} "), text);
        assertTrue(text.contains("shoal_worker_task_phase_seconds{phase=\"start\",quantile=\"0.99\"} "), text);
    }
}
