package io.shoal.cli.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code /etc/shoal/daemon.json}, as docker's daemon.json: one key per flag of {@code shoal daemon},
 * named as the flag without its dashes ({@code "log-level": "debug"}); a repeatable flag takes an
 * array (docker's plural {@code "insecure-registries"} is read as {@code --insecure-registry}).
 * The file is turned into the flags it stands for, so picocli checks its values exactly as it
 * checks the command line's; the daemon then takes a value from the file only where the command
 * line gave none. An unknown key, a value of the wrong JSON type or bad JSON stops the daemon with
 * one line naming the file and the key.
 */
final class DaemonConfigFile {
    /** docker's names for our repeatable flags */
    private static final Map<String, String> ALIASES = Map.of("insecure-registries", "insecure-registry");
    /** flags that make no sense in the file itself */
    private static final List<String> NOT_IN_FILE = List.of("config-file", "help", "version");
    private static final ObjectMapper JSON = new ObjectMapper();

    private DaemonConfigFile() {}

    /**
     * The flags {@code file} stands for, in the terms of {@code spec} (the daemon command's options);
     * empty when the file does not exist and {@code required} is false.
     *
     * @throws IllegalArgumentException with one line naming the file and what is wrong
     */
    static List<String> arguments(Path file, CommandSpec spec, boolean required) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            if (required) {
                throw new IllegalArgumentException(file + ": no such file");
            }
            return List.of();
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it (" + e.getMessage() + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage() + ")");
        }
        if (root == null || root.isMissingNode()) {
            return List.of();
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(file + ": must hold one JSON object of flag names and values");
        }
        List<String> args = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            String flag = "--" + ALIASES.getOrDefault(key, key);
            OptionSpec option = NOT_IN_FILE.contains(key) ? null : spec.findOption(flag);
            if (option == null) {
                throw new IllegalArgumentException(file + ": unknown key '" + key + "' (the keys are the daemon's flags without dashes: "
                        + String.join(", ", keys(spec)) + ")");
            }
            JsonNode v = e.getValue();
            if (option.typeInfo().isMultiValue()) {
                if (v.isArray()) {
                    for (JsonNode item : v) {
                        args.add(flag);
                        args.add(scalar(file, key, item, option));
                    }
                } else {
                    args.add(flag);
                    args.add(scalar(file, key, v, option));
                }
            } else if (isBoolean(option)) {
                if (!v.isBoolean()) {
                    throw new IllegalArgumentException(file + ": '" + key + "' must be true or false, not " + kind(v));
                }
                args.add(flag + "=" + v.asBoolean());
            } else {
                args.add(flag);
                args.add(scalar(file, key, v, option));
            }
        }
        return args;
    }

    private static String scalar(Path file, String key, JsonNode v, OptionSpec option) {
        Class<?> type = option.typeInfo().isMultiValue() ? option.typeInfo().getAuxiliaryTypes()[0] : option.type();
        boolean number = type == int.class || type == long.class || type == Integer.class || type == Long.class;
        if (number) {
            if (!v.isIntegralNumber()) {
                throw new IllegalArgumentException(file + ": '" + key + "' must be a whole number, not " + kind(v));
            }
            return v.asText();
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a string, not " + kind(v));
        }
        return v.asText();
    }

    private static boolean isBoolean(OptionSpec option) {
        return option.type() == boolean.class || option.type() == Boolean.class;
    }

    private static String kind(JsonNode v) {
        if (v.isTextual()) {
            return "a string";
        }
        if (v.isNumber()) {
            return "a number";
        }
        if (v.isBoolean()) {
            return v.asText();
        }
        if (v.isArray()) {
            return "an array";
        }
        return v.isObject() ? "an object" : "null";
    }

    private static List<String> keys(CommandSpec spec) {
        TreeSet<String> keys = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            String k = o.longestName().replaceFirst("^--?", "");
            if (!NOT_IN_FILE.contains(k)) {
                keys.add(k);
            }
        }
        return List.copyOf(keys);
    }
}
