package io.shoal.cli.commands;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.BuildInfo;
import io.shoal.api.VersionGrpc;
import io.shoal.api.VersionInfo;
import io.shoal.api.VersionRequest;
import io.shoal.cli.RootCommand;
import io.shoal.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code shoal version}: the client's version and, as {@code docker version} does, the daemon's.
 * When the daemon cannot be reached the client's part is printed all the same, then the error.
 */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Show the client's and the daemon's versions (Shoal, API, git commit, Java).")
public final class VersionCommand extends ClientCommand {
    @Option(names = {"-f", "--format"}, description = "Output format: table (default) or json.")
    String format = "table";

    @Override
    protected int execute() {
        if (!format.equals("json") && !format.equals("table")) {
            throw usage("--format: '" + format + "' is not supported; use json or table");
        }
        Map<String, Object> client = client();
        VersionInfo server;
        try {
            server = VersionGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .get(VersionRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            print(out(), client, null);
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                err().println("Error: the daemon at " + RootCommand.currentHost() + " runs a release older than 'shoal version'");
                return 1;
            }
            throw e;
        }
        print(out(), client, server(server));
        return 0;
    }

    private void print(PrintWriter w, Map<String, Object> client, Map<String, Object> server) {
        if (format.equals("json")) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("Client", client);
            if (server != null) {
                all.put("Server", server);
            }
            Json.print(w, all);
            return;
        }
        w.println("Client:");
        table(w, client);
        if (server != null) {
            w.println();
            w.println("Server:");
            table(w, server);
        }
        w.flush();
    }

    private static void table(PrintWriter w, Map<String, Object> m) {
        m.forEach((k, v) -> {
            switch (k) {
                case "Os" -> w.printf(" %-18s %s/%s%n", "OS/Arch:", v, m.get("Arch"));
                case "Arch" -> { }
                default -> w.printf(" %-18s %s%n", label(k) + ":", v);
            }
        });
    }

    static Map<String, Object> client() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Version", BuildInfo.version());
        m.put("ApiVersion", BuildInfo.API_VERSION);
        m.put("GitCommit", BuildInfo.commit());
        m.put("JavaVersion", BuildInfo.javaVersion());
        m.put("Os", BuildInfo.os());
        m.put("Arch", BuildInfo.arch());
        return m;
    }

    static Map<String, Object> server(VersionInfo v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Version", v.getVersion());
        m.put("ApiVersion", v.getApiVersion());
        m.put("MinApiVersion", v.getMinApiVersion());
        m.put("GitCommit", v.getGitCommit());
        m.put("JavaVersion", v.getJavaVersion());
        m.put("Os", v.getOs());
        m.put("Arch", v.getArch());
        m.put("StoreFormat", v.getStoreFormat());
        if (v.getClusterStoreFormat() > 0) {
            m.put("ClusterStoreFormat", v.getClusterStoreFormat());
        }
        return m;
    }

    private static String label(String key) {
        return switch (key) {
            case "ApiVersion" -> "API version";
            case "MinApiVersion" -> "Minimum API";
            case "GitCommit" -> "Git commit";
            case "JavaVersion" -> "Java version";
            case "StoreFormat" -> "Store format";
            case "ClusterStoreFormat" -> "Cluster format";
            default -> key;
        };
    }
}
