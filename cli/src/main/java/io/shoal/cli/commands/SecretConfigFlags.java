package io.shoal.cli.commands;

import io.shoal.api.ConfigReference;
import io.shoal.api.ContainerSpec;
import io.shoal.api.SecretReference;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code --secret}/{@code --config} (and on update {@code --secret-add}/{@code --secret-rm},
 * {@code --config-add}/{@code --config-rm}), as docker's service commands take them: a name, or
 * {@code source=S,target=T,uid=U,gid=G,mode=M}. Names stay names here; the managers resolve them
 * and fill in the defaults (target NAME, under /run/secrets for a secret and / for a config; uid
 * and gid 0; mode 0444).
 */
public final class SecretConfigFlags {
    @Option(names = "--secret", description = "Give the service a secret: NAME or source=S,target=T,uid=U,gid=G,mode=M "
            + "(file /run/secrets/TARGET, in memory; repeatable).") List<String> secrets = new ArrayList<>();
    @Option(names = "--secret-add", description = "update: add a secret (as --secret).") List<String> secretAdd = new ArrayList<>();
    @Option(names = "--secret-rm", description = "update: remove a secret by name or id (repeatable).") List<String> secretRm = new ArrayList<>();
    @Option(names = "--config", description = "Give the service a config: NAME or source=S,target=/PATH,uid=U,gid=G,mode=M "
            + "(file /NAME by default; repeatable).") List<String> configs = new ArrayList<>();
    @Option(names = "--config-add", description = "update: add a config (as --config).") List<String> configAdd = new ArrayList<>();
    @Option(names = "--config-rm", description = "update: remove a config by name or id (repeatable).") List<String> configRm = new ArrayList<>();

    /** Removals first, then additions, as docker applies them. */
    void apply(ContainerSpec.Builder c, CommandLine cmd) {
        if (!secretRm.isEmpty()) {
            Set<String> gone = Set.copyOf(secretRm);
            List<SecretReference> kept = c.getSecretsList().stream()
                    .filter(r -> !gone.contains(r.getSecretName()) && !gone.contains(r.getSecretId())).toList();
            c.clearSecrets().addAllSecrets(kept);
        }
        if (!configRm.isEmpty()) {
            Set<String> gone = Set.copyOf(configRm);
            List<ConfigReference> kept = c.getConfigsList().stream()
                    .filter(r -> !gone.contains(r.getConfigName()) && !gone.contains(r.getConfigId())).toList();
            c.clearConfigs().addAllConfigs(kept);
        }
        for (String s : concat(secrets, secretAdd)) {
            File f = parse(s, "--secret", cmd);
            SecretReference.Builder r = SecretReference.newBuilder().setSecretName(f.source).setTarget(f.target)
                    .setUid(f.uid).setGid(f.gid);
            if (f.mode != null) {
                r.setMode(f.mode);
            }
            c.addSecrets(r);
        }
        for (String s : concat(configs, configAdd)) {
            File f = parse(s, "--config", cmd);
            ConfigReference.Builder r = ConfigReference.newBuilder().setConfigName(f.source).setTarget(f.target)
                    .setUid(f.uid).setGid(f.gid);
            if (f.mode != null) {
                r.setMode(f.mode);
            }
            c.addConfigs(r);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** One reference as typed: source, target ("" for the default), uid, gid ("" for 0), mode (null for 0444). */
    record File(String source, String target, String uid, String gid, Integer mode) {}

    static File parse(String v, String flag, CommandLine cmd) {
        if (!v.contains("=")) {
            if (v.isBlank() || v.contains(",")) {
                throw new CommandLine.ParameterException(cmd, flag + ": '" + v + "' must be NAME or source=NAME[,target=..][,uid=..][,gid=..][,mode=..]");
            }
            return new File(v, "", "", "", null);
        }
        String source = "";
        String target = "";
        String uid = "";
        String gid = "";
        Integer mode = null;
        for (String part : v.split(",")) {
            String[] kv = part.split("=", 2);
            String val = kv.length == 2 ? kv[1].trim() : "";
            switch (kv[0].trim().toLowerCase()) {
                case "source", "src" -> source = val;
                case "target" -> target = val;
                case "uid" -> uid = id(val, flag, "uid", cmd);
                case "gid" -> gid = id(val, flag, "gid", cmd);
                case "mode" -> mode = mode(val, flag, cmd);
                default -> throw new CommandLine.ParameterException(cmd, flag + ": unknown key '" + kv[0].trim() + "' in '" + v
                        + "' (use source, target, uid, gid, mode)");
            }
        }
        if (source.isEmpty()) {
            throw new CommandLine.ParameterException(cmd, flag + ": '" + v + "' names no source (source=NAME)");
        }
        return new File(source, target, uid, gid, mode);
    }

    private static String id(String v, String flag, String what, CommandLine cmd) {
        if (!v.matches("\\d{1,10}")) {
            throw new CommandLine.ParameterException(cmd, flag + ": " + what + " '" + v + "' must be a number");
        }
        return v;
    }

    /** As docker reads it (Go's base 0): 0440 and 0o440 are octal, 0x120 hexadecimal, 288 decimal. */
    static int mode(String v, String flag, CommandLine cmd) {
        try {
            int m;
            if (v.startsWith("0o") || v.startsWith("0O")) {
                m = Integer.parseInt(v.substring(2), 8);
            } else if (v.startsWith("0x") || v.startsWith("0X")) {
                m = Integer.parseInt(v.substring(2), 16);
            } else if (v.length() > 1 && v.startsWith("0")) {
                m = Integer.parseInt(v.substring(1), 8);
            } else {
                m = Integer.parseInt(v);
            }
            if (m >= 0 && m <= 0777) {
                return m;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new CommandLine.ParameterException(cmd, flag + ": mode '" + v + "' must be a file mode such as 0444 (0000-0777)");
    }
}
