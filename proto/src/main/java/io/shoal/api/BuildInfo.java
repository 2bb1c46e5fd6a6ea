package io.shoal.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What this build of Shoal is: its version (the Maven project version), the git commit it was
 * built from, and the version of the gRPC API it speaks. The client prints it for
 * {@code shoal --version} and {@code shoal version}; a daemon reports it to the managers (the
 * ENGINE VERSION of {@code node ls}) and answers {@code Version.Get} with it.
 *
 * <p>The API version is MAJOR.MINOR: the minor grows with additive changes (a new call, a new
 * field), the major only when an old client could no longer be served. {@link #MIN_API_VERSION} is
 * the oldest one a daemon still serves.
 */
public final class BuildInfo {
    public static final String API_VERSION = "1.0";
    public static final String MIN_API_VERSION = "1.0";

    private static final BuildInfo CURRENT = load();

    private final String version;
    private final String commit;

    private BuildInfo(String version, String commit) {
        this.version = version;
        this.commit = commit;
    }

    /** This build's version, e.g. {@code 0.2.0} or {@code 0.2.0-SNAPSHOT}; {@code unknown} when the build wrote none. */
    public static String version() {
        return CURRENT.version;
    }

    /** The abbreviated git commit of this build, or {@code unknown} when it was not built in a git checkout. */
    public static String commit() {
        return CURRENT.commit;
    }

    /** The Java runtime this process runs on, e.g. {@code 25.0.1+8-LTS}. */
    public static String javaVersion() {
        return System.getProperty("java.runtime.version", System.getProperty("java.version", "unknown"));
    }

    /** The platform in Go's words (docker prints {@code linux/amd64}). */
    public static String os() {
        return System.getProperty("os.name", "unknown").toLowerCase();
    }

    public static String arch() {
        String a = System.getProperty("os.arch", "unknown");
        return switch (a) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a build without the file: report unknown rather than fail
        }
        return new BuildInfo(p.getProperty("version", "unknown").trim(), p.getProperty("commit", "unknown").trim());
    }
}
