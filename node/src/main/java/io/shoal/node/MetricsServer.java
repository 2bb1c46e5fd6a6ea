package io.shoal.node;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * The daemon's meters in Prometheus's text format on {@code http://ADDR/metrics}
 * ({@code shoal daemon --metrics-addr}, as Docker's {@code metrics-addr}): the JVM's (memory, GC,
 * threads, classes, CPU, uptime) and, on a manager, the manager's ({@link io.shoal.manager.ManagerMetrics}).
 * Plain http without authentication, like Docker's: bind it to an address only trusted scrapers reach.
 */
final class MetricsServer implements AutoCloseable {
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private HttpServer http;

    MetricsServer() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        BuildInfoGauge.register(registry);
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The address {@code --metrics-addr} names: IP:PORT, the port required. */
    static Addresses.HostPort parse(String addr) {
        Addresses.HostPort hp = Addresses.parse(addr, "--metrics-addr", -1);
        if (hp.port() < 0) {
            throw new IllegalArgumentException("--metrics-addr: '" + addr + "' needs a port (IP:PORT)");
        }
        return hp;
    }

    /**
     * The meters a scrape asks for with {@code ?name[]=N&name[]=M} (as Prometheus's own client
     * servers take it): a scraper that follows one figure closely need not have every meter
     * written each time. Names as exposed, e.g. {@code shoal_tasks_placed_total}. Empty: all.
     */
    static Set<String> names(String rawQuery) {
        Set<String> names = new HashSet<>();
        if (rawQuery == null) {
            return names;
        }
        for (String param : rawQuery.split("&")) {
            int eq = param.indexOf('=');
            if (eq > 0 && URLDecoder.decode(param.substring(0, eq), StandardCharsets.UTF_8).equals("name[]")) {
                String name = URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
                names.add(name);
                // the registry filters by family: shoal_tasks_placed for shoal_tasks_placed_total
                names.add(name.replaceFirst("_(total|count|sum|bucket|created|info)$", ""));
            }
        }
        return names;
    }

    /** Serves {@code /metrics} on {@code addr} (IP:PORT); returns the bound address. */
    InetSocketAddress serve(String addr) throws IOException {
        Addresses.HostPort hp = parse(addr);
        try {
            http = HttpServer.create(new InetSocketAddress(hp.host(), hp.port()), 16);
        } catch (IOException e) {
            throw new IOException("--metrics-addr: cannot listen on " + addr + ": " + e.getMessage(), e);
        }
        http.createContext("/metrics", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                Set<String> names = names(exchange.getRequestURI().getRawQuery());
                byte[] body = (names.isEmpty() ? registry.scrape() : registry.scrape(TEXT_FORMAT, names))
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", TEXT_FORMAT);
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        });
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        return http.getAddress();
    }

    @Override
    public void close() {
        if (http != null) {
            http.stop(0);
        }
        gc.close();
        registry.close();
    }
}
