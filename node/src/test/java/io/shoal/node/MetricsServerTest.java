package io.shoal.node;

import io.micrometer.core.instrument.Counter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsServerTest {
    private static HttpResponse<String> send(HttpRequest.Builder req) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void servesTheJvmsAndRegisteredMetersInPrometheusText() throws Exception {
        try (MetricsServer metrics = new MetricsServer()) {
            Counter.builder("shoal.test.events").register(metrics.registry()).increment(3);
            InetSocketAddress at = metrics.serve("127.0.0.1:" + InProcessClusterTest.freePortPair());
            URI uri = URI.create("http://127.0.0.1:" + at.getPort() + "/metrics");

            HttpResponse<String> r = send(HttpRequest.newBuilder(uri).GET());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"), r.headers().toString());
            assertTrue(r.body().contains("shoal_test_events_total 3.0"), r.body());
            assertTrue(r.body().contains("jvm_memory_used_bytes{"), "the JVM's meters");
            assertTrue(r.body().contains("process_uptime_seconds"), "uptime");
            assertTrue(r.body().matches("(?s).*shoal_build_info\\{commit=\"[^\"]+\",java=\"" + Pattern.quote(
                    System.getProperty("java.runtime.version")) + "\",version=\"0\\.[^\"]+\"} 1(\\.0)?\n.*"), "what runs, with a version: " + r.body());

            // only the meters asked for
            Counter.builder("shoal.test.other").register(metrics.registry()).increment();
            HttpResponse<String> one = send(HttpRequest.newBuilder(URI.create(uri + "?name[]=shoal_test_events_total")).GET());
            assertEquals(200, one.statusCode());
            assertTrue(one.body().contains("shoal_test_events_total 3.0"), one.body());
            assertFalse(one.body().contains("shoal_test_other"), one.body());
            assertFalse(one.body().contains("jvm_"), one.body());
            HttpResponse<String> two = send(HttpRequest.newBuilder(URI.create(uri + "?name%5B%5D=shoal_test_events_total&name[]=shoal_test_other_total")).GET());
            assertTrue(two.body().contains("shoal_test_events_total 3.0") && two.body().contains("shoal_test_other_total 1.0"), two.body());

            assertEquals(405, send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())).statusCode());
            assertEquals(404, send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/other")).GET()).statusCode());
        }
    }

    @Test
    void badAddressesAreOneClearError() throws Exception {
        try (MetricsServer metrics = new MetricsServer()) {
            IllegalArgumentException noPort = assertThrows(IllegalArgumentException.class, () -> metrics.serve("127.0.0.1"));
            assertEquals("--metrics-addr: '127.0.0.1' needs a port (IP:PORT)", noPort.getMessage());
            IllegalArgumentException name = assertThrows(IllegalArgumentException.class, () -> metrics.serve("localhost:9323"));
            assertTrue(name.getMessage().startsWith("--metrics-addr: 'localhost' is not an IP address"), name.getMessage());
        }
        try (MetricsServer first = new MetricsServer(); MetricsServer second = new MetricsServer()) {
            InetSocketAddress at = first.serve("127.0.0.1:" + InProcessClusterTest.freePortPair());
            IOException busy = assertThrows(IOException.class, () -> second.serve("127.0.0.1:" + at.getPort()));
            assertTrue(busy.getMessage().startsWith("--metrics-addr: cannot listen on 127.0.0.1:" + at.getPort()), busy.getMessage());
        }
    }
}
