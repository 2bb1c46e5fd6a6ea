package io.shoal.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static io.shoal.cli.commands.ServicePretty.labels;
import static io.shoal.cli.commands.ServicePretty.line;

/** {@code node inspect --pretty}: a node's Docker JSON as the text docker prints for people. */
final class NodePretty {
    private static final DateTimeFormatter JOINED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS '+0000 utc'").withZone(ZoneOffset.UTC);

    private NodePretty() {}

    static String text(JsonNode n) {
        StringBuilder b = new StringBuilder();
        line(b, "ID:\t\t\t", n.path("ID").asText());
        JsonNode spec = n.path("Spec");
        if (spec.has("Name")) {
            line(b, "Name:\t\t\t", spec.path("Name").asText());
        }
        labels(b, "Labels:", spec.path("Labels"));
        JsonNode d = n.path("Description");
        line(b, "Hostname:              \t", d.path("Hostname").asText());
        try {
            line(b, "Joined at:             \t", JOINED.format(Instant.parse(n.path("CreatedAt").asText())));
        } catch (RuntimeException e) {
            line(b, "Joined at:             \t", n.path("CreatedAt").asText());
        }
        b.append("Status:\n");
        line(b, " State:\t\t\t", capital(n.path("Status").path("State").asText()));
        if (n.path("Status").has("Message")) {
            line(b, " Message:              \t", n.path("Status").path("Message").asText());
        }
        line(b, " Availability:         \t", capital(spec.path("Availability").asText()));
        line(b, " Address:\t\t", n.path("Status").path("Addr").asText());
        JsonNode m = n.path("ManagerStatus");
        if (!m.isMissingNode()) {
            b.append("Manager Status:\n");
            line(b, " Address:\t\t", m.path("Addr").asText());
            line(b, " Raft Status:\t\t", capital(m.path("Reachability").asText()));
            line(b, " Leader:\t\t", m.path("Leader").asBoolean() ? "Yes" : "No");
        }
        b.append("Platform:\n");
        line(b, " Operating System:\t", d.path("Platform").path("OS").asText());
        line(b, " Architecture:\t\t", d.path("Platform").path("Architecture").asText());
        b.append("Resources:\n");
        line(b, " CPUs:\t\t\t", BigDecimal.valueOf(d.path("Resources").path("NanoCPUs").asLong()).movePointLeft(9).stripTrailingZeros()
                .toPlainString());
        line(b, " Memory:\t\t", bytes(d.path("Resources").path("MemoryBytes").asLong()));
        JsonNode engine = d.path("Engine");
        if (engine.path("Runtimes").size() > 0) {
            StringBuilder r = new StringBuilder();
            engine.path("Runtimes").forEach(x -> r.append(r.isEmpty() ? "" : ", ").append(x.asText()));
            line(b, "Runtimes:\t\t", r.toString());
        }
        labels(b, "Engine Labels:", engine.path("Labels"));
        if (!engine.path("EngineVersion").asText().isEmpty()) {
            line(b, "Engine Version:\t\t", engine.path("EngineVersion").asText());
        }
        JsonNode tls = d.path("TLSInfo");
        if (!tls.isMissingNode()) {
            b.append("TLS Info:\n");
            line(b, " TLS Status:\t\t", tls.path("TLSStatus").asText());
            line(b, " Issuer Subject:\t", tls.path("CertIssuerSubject").asText());
            line(b, " Expiry:\t\t", tls.path("CertNotAfter").asText());
        }
        return b.toString();
    }

    private static String capital(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** As docker's units.BytesSize: 64MiB, 23.54GiB. */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString() + units[i];
    }
}
