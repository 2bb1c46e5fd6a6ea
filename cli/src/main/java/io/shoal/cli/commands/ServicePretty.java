package io.shoal.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.cli.output.Units;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code service inspect --pretty}: a service's Docker JSON as the text docker prints for people. */
final class ServicePretty {
    private ServicePretty() {}

    static String text(JsonNode s, Map<String, String> networkNames) {
        StringBuilder b = new StringBuilder("\n");
        JsonNode spec = s.path("Spec");
        line(b, "ID:\t\t", s.path("ID").asText());
        line(b, "Name:\t\t", spec.path("Name").asText());
        labels(b, "Labels:", spec.path("Labels"));
        JsonNode mode = spec.path("Mode");
        if (mode.has("Global")) {
            line(b, "Service Mode:\t", "Global");
        } else if (mode.has("ReplicatedJob")) {
            line(b, "Service Mode:\t", "ReplicatedJob");
            line(b, " Max Concurrent:\t", mode.path("ReplicatedJob").path("MaxConcurrent").asText());
            line(b, " Total Completions:\t", mode.path("ReplicatedJob").path("TotalCompletions").asText());
        } else if (mode.has("GlobalJob")) {
            line(b, "Service Mode:\t", "GlobalJob");
        } else {
            line(b, "Service Mode:\t", "Replicated");
            line(b, " Replicas:\t", mode.path("Replicated").path("Replicas").asText());
        }
        JsonNode us = s.path("UpdateStatus");
        if (!us.isMissingNode()) {
            b.append("UpdateStatus:\n");
            line(b, " State:\t\t", us.path("State").asText());
            if (us.has("StartedAt")) {
                line(b, " Started:\t", ago(us.path("StartedAt").asText()));
            }
            if (us.has("CompletedAt")) {
                line(b, " Completed:\t", ago(us.path("CompletedAt").asText()));
            }
            line(b, " Message:\t", us.path("Message").asText());
        }
        JsonNode task = spec.path("TaskTemplate");
        JsonNode placement = task.path("Placement");
        if (placement.size() > 0) {
            b.append("Placement:\n");
            if (placement.has("Constraints")) {
                line(b, " Constraints:\t", "[" + join(placement.path("Constraints"), " ") + "]");
            }
            if (placement.has("Preferences")) {
                List<String> prefs = new ArrayList<>();
                placement.path("Preferences").forEach(p -> prefs.add("Spread=" + p.path("Spread").path("SpreadDescriptor").asText()));
                line(b, " Preferences:\t", String.join(", ", prefs));
            }
            if (placement.has("MaxReplicas")) {
                line(b, " Max Replicas Per Node:\t", placement.path("MaxReplicas").asText());
            }
        }
        update(b, "UpdateConfig:", "Update order:      ", spec.path("UpdateConfig"));
        update(b, "RollbackConfig:", "Rollback order:    ", spec.path("RollbackConfig"));
        JsonNode c = task.path("ContainerSpec");
        b.append("ContainerSpec:\n");
        line(b, " Image:\t\t", c.path("Image").asText());
        if (c.has("Command")) {
            line(b, " Command:\t", join(c.path("Command"), " ") + " ");
        }
        if (c.has("Args")) {
            line(b, " Args:\t\t", join(c.path("Args"), " ") + " ");
        }
        if (c.has("Env")) {
            line(b, " Env:\t\t", join(c.path("Env"), " ") + " ");
        }
        if (c.has("Dir")) {
            line(b, " Dir:\t\t", c.path("Dir").asText());
        }
        if (c.has("User")) {
            line(b, " User:\t\t", c.path("User").asText());
        }
        if (c.has("Mounts")) {
            b.append("Mounts:\n");
            for (JsonNode m : c.path("Mounts")) {
                line(b, " Target:\t", m.path("Target").asText());
                line(b, "  Source:\t", m.path("Source").asText());
                line(b, "  ReadOnly:\t", Boolean.toString(m.path("ReadOnly").asBoolean()));
                line(b, "  Type:\t\t", m.path("Type").asText());
            }
        }
        resources(b, task.path("Resources"));
        if (task.has("StopTasksAfterDisconnect")) {
            line(b, "Stop tasks after disconnect:\t", duration(task.path("StopTasksAfterDisconnect").asLong()));
        }
        if (task.has("Networks")) {
            List<String> names = new ArrayList<>();
            task.path("Networks").forEach(n -> names.add(networkNames.getOrDefault(n.path("Target").asText(), n.path("Target").asText())));
            b.append("Networks: ").append(String.join(" ", names)).append(" \n");
        }
        JsonNode ep = spec.path("EndpointSpec");
        line(b, "Endpoint Mode:\t", ep.path("Mode").asText("vip"));
        if (ep.has("Ports")) {
            b.append("Ports:\n");
            for (JsonNode p : ep.path("Ports")) {
                b.append(" PublishedPort = ").append(p.path("PublishedPort").asText()).append('\n');
                b.append("  Protocol = ").append(p.path("Protocol").asText()).append('\n');
                b.append("  TargetPort = ").append(p.path("TargetPort").asText()).append('\n');
                b.append("  PublishMode = ").append(p.path("PublishMode").asText()).append(" \n");
            }
        }
        return b.append('\n').toString();
    }

    private static void update(StringBuilder b, String title, String orderLabel, JsonNode u) {
        if (u.isMissingNode()) {
            return;
        }
        b.append(title).append('\n');
        line(b, " Parallelism:\t", u.path("Parallelism").asText());
        if (u.has("Delay")) {
            line(b, " Delay:\t\t", duration(u.path("Delay").asLong()));
        }
        line(b, " On failure:\t", u.path("FailureAction").asText());
        if (u.has("Monitor")) {
            line(b, " Monitoring Period: ", duration(u.path("Monitor").asLong()));
        }
        line(b, " Max failure ratio: ", u.path("MaxFailureRatio").asText());
        line(b, " " + orderLabel, u.path("Order").asText());
    }

    private static void resources(StringBuilder b, JsonNode r) {
        JsonNode res = r.path("Reservations");
        JsonNode lim = r.path("Limits");
        if (res.size() == 0 && lim.size() == 0) {
            return;
        }
        b.append("Resources:\n");
        if (res.size() > 0) {
            b.append(" Reservations:\n");
            cpuAndMemory(b, res);
        }
        if (lim.size() > 0) {
            b.append(" Limits:\n");
            cpuAndMemory(b, lim);
            if (lim.has("Pids")) {
                line(b, "  Pids:\t\t", lim.path("Pids").asText());
            }
        }
    }

    private static void cpuAndMemory(StringBuilder b, JsonNode r) {
        if (r.has("NanoCPUs")) {
            line(b, "  CPU:\t\t", new BigDecimal(r.path("NanoCPUs").asLong()).movePointLeft(9).stripTrailingZeros().toPlainString());
        }
        if (r.has("MemoryBytes")) {
            line(b, "  Memory:\t", NodePretty.bytes(r.path("MemoryBytes").asLong()));
        }
    }

    static void line(StringBuilder b, String label, String value) {
        b.append(label).append(value).append('\n');
    }

    static void labels(StringBuilder b, String title, JsonNode labels) {
        if (labels.size() == 0) {
            return;
        }
        b.append(title).append('\n');
        labels.fields().forEachRemaining(e -> b.append(' ').append(e.getKey()).append('=').append(e.getValue().asText()).append('\n'));
    }

    private static String join(JsonNode array, String sep) {
        List<String> parts = new ArrayList<>();
        array.forEach(x -> parts.add(x.asText()));
        return String.join(sep, parts);
    }

    /** Nanoseconds as Go prints a time.Duration: 5s, 1m30s, 500ms. */
    static String duration(long nanos) {
        Duration d = Duration.ofNanos(nanos);
        if (d.isZero()) {
            return "0s";
        }
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        StringBuilder sb = new StringBuilder();
        if (d.toHours() > 0) {
            sb.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0 || d.toHours() > 0) {
            sb.append(d.toMinutesPart()).append('m');
        }
        double secs = d.toSecondsPart() + d.toMillisPart() / 1000.0;
        sb.append(new BigDecimal(Double.toString(secs)).stripTrailingZeros().toPlainString()).append('s');
        return sb.toString();
    }

    private static String ago(String rfc3339) {
        try {
            return Units.ago(Duration.between(Instant.parse(rfc3339), Instant.now()));
        } catch (RuntimeException e) {
            return rfc3339;
        }
    }
}
