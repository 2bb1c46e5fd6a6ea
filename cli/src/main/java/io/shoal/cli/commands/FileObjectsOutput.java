package io.shoal.cli.commands;

import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.Meta;
import io.shoal.cli.output.Units;
import picocli.CommandLine;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What secrets and configs share on the command line: labels in, and Docker's shapes out. */
final class FileObjectsOutput {
    private FileObjectsOutput() {}

    static Map<String, String> labels(List<String> labels, CommandLine cmd) {
        Map<String, String> out = new TreeMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            if (eq == 0) {
                throw new CommandLine.ParameterException(cmd, "--label: '" + l + "' must be KEY=VALUE");
            }
            out.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        return out;
    }

    static String ago(long ms) {
        return Units.ago(Duration.between(Instant.ofEpochMilli(ms), Instant.now()));
    }

    /** One row of {@code ls --format json}, with the keys of docker's {@code {{json .}}}. */
    static Map<String, Object> row(String id, Annotations a, Meta m, boolean driver) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("ID", id);
        row.put("Name", a.getName());
        if (driver) {
            row.put("Driver", "");
        }
        row.put("CreatedAt", Instant.ofEpochMilli(m.getCreatedMs()).toString());
        row.put("UpdatedAt", Instant.ofEpochMilli(m.getUpdatedMs()).toString());
        row.put("Labels", new TreeMap<>(a.getLabelsMap()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",")));
        return row;
    }

    /** As {@code docker secret|config inspect} shows one: {@code data} null for a secret. */
    static Map<String, Object> inspect(String id, Annotations a, Meta m, ByteString data) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("Name", a.getName());
        spec.put("Labels", new TreeMap<>(a.getLabelsMap()));
        if (data != null) {
            spec.put("Data", Base64.getEncoder().encodeToString(data.toByteArray()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ID", id);
        out.put("Version", Map.of("Index", m.getVersion()));
        out.put("CreatedAt", Instant.ofEpochMilli(m.getCreatedMs()).toString());
        out.put("UpdatedAt", Instant.ofEpochMilli(m.getUpdatedMs()).toString());
        out.put("Spec", spec);
        return out;
    }
}
