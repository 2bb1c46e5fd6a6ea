package io.shoal.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs docker's credential helpers ({@code docker-credential-NAME get}), the protocol of
 * docker-credential-helpers: the server address on stdin, {@code {"ServerURL", "Username",
 * "Secret"}} on stdout, or a failure whose output says {@code credentials not found}. The secret
 * is never put into a message; a helper that takes longer than {@link #TIMEOUT_SECONDS} is killed.
 */
final class CredentialHelper {
    static final long TIMEOUT_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Path> directories;

    /** @param directories where helpers are looked for, in order (PATH's directories for the real thing) */
    CredentialHelper(List<Path> directories) {
        this.directories = List.copyOf(directories);
    }

    static List<Path> pathDirectories() {
        String path = System.getenv("PATH");
        List<Path> dirs = new ArrayList<>();
        for (String d : (path == null || path.isEmpty() ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
            if (!d.isEmpty()) {
                dirs.add(Path.of(d));
            }
        }
        return dirs;
    }

    /**
     * The credentials helper {@code name} holds for {@code server}; empty when it holds none.
     *
     * @param config the file that named the helper, for messages
     */
    Optional<Credentials> get(String name, String server, Path config) throws IOException {
        String program = "docker-credential-" + name;
        Path exe = directories.stream().map(d -> d.resolve(program)).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IOException("credential helper " + program + " (named in " + config + ") is not on PATH"));
        Process p = new ProcessBuilder(exe.toString(), "get").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(server.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a helper that exits without reading its input: its answer says what happened
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("credential helper " + program + " gave no answer for " + server + " within "
                        + TIMEOUT_SECONDS + "s");
            }
            byte[] answer = out.join();
            if (p.exitValue() != 0) {
                String text = new String(answer, StandardCharsets.UTF_8).strip();
                if (text.toLowerCase(Locale.ROOT).contains("credentials not found")) {
                    return Optional.empty();
                }
                throw new IOException("credential helper " + program + " failed for " + server + " (exit " + p.exitValue()
                        + (text.isEmpty() || text.length() > 200 ? "" : ": " + text.lines().findFirst().orElse("")) + ")");
            }
            return parse(answer, program, server);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running credential helper " + program);
        }
    }

    private static Optional<Credentials> parse(byte[] answer, String program, String server) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(answer);
        } catch (IOException e) {
            throw new IOException("credential helper " + program + " answered something that is not JSON for " + server);
        }
        String user = json == null ? "" : json.path("Username").asText("");
        String secret = json == null ? "" : json.path("Secret").asText("");
        if (user.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        if (user.equals("<token>")) {
            throw new IOException("credential helper " + program + " holds an identity token for " + server
                    + ", which is not supported; log in with a user name and password or access token");
        }
        try {
            return Optional.of(new Credentials(user, secret));
        } catch (IllegalArgumentException e) {
            throw new IOException("credential helper " + program + " answered unusable credentials for " + server + ": "
                    + e.getMessage());
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
