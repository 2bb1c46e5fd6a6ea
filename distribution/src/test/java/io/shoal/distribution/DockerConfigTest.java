package io.shoal.distribution;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Credentials from config.json: inline auths, and credential helpers run as real processes. */
class DockerConfigTest {
    @TempDir
    Path dir;
    Path bin;
    Path config;
    Path asked;

    @BeforeEach
    void setUp() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        config = dir.resolve("config.json");
        asked = dir.resolve("asked");
        // a helper as docker-credential-pass or -secretservice behave: it records the server it was
        // asked for, knows two servers and says "credentials not found" for the others
        helper("store", """
                server=$(cat)
                echo "$1 $server" >> %s
                case $server in
                  https://index.docker.io/v1/) echo '{"ServerURL":"'$server'","Username":"hubuser","Secret":"hub-secret"}' ;;
                  reg.example:5000) echo '{"ServerURL":"'$server'","Username":"alice","Secret":"s3cret:with:colons"}' ;;
                  *) echo "credentials not found in native keychain"; exit 1 ;;
                esac
                """.formatted(asked));
        helper("broken", "cat > /dev/null; echo 'dbus is not running' >&2; exit 3\n");
        helper("token", "cat > /dev/null; echo '{\"Username\":\"<token>\",\"Secret\":\"refresh\"}'\n");
    }

    private void helper(String name, String body) throws IOException {
        Path p = bin.resolve("docker-credential-" + name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Optional<Credentials> lookup(String json, String registry) throws IOException {
        Files.writeString(config, json);
        return new DockerConfig(config, new CredentialHelper(List.of(dir.resolve("empty"), bin))).lookup(registry);
    }

    @Test
    void inlineAuthsAreFoundByHostOrUrl() throws IOException {
        String json = "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" + new Credentials("u", "p:w").auth()
                + "\"}, \"reg.example:5000\": {\"username\": \"bob\", \"password\": \"pw\"}}}";
        assertEquals(Optional.of(new Credentials("u", "p:w")), lookup(json, ImageRef.DOCKER_HUB));
        assertEquals(Optional.of(new Credentials("bob", "pw")), lookup(json, "reg.example:5000"));
        assertEquals(Optional.empty(), lookup(json, "other.example"));
        assertEquals(Optional.empty(), lookup("", "other.example"));
    }

    @Test
    void credsStoreIsRunForEveryRegistryWithDockerHubsServerAddress() throws IOException {
        String json = "{\"credsStore\": \"store\", \"auths\": {\"https://index.docker.io/v1/\": {}}}";
        assertEquals(Optional.of(new Credentials("hubuser", "hub-secret")), lookup(json, ImageRef.DOCKER_HUB));
        assertEquals(Optional.of(new Credentials("alice", "s3cret:with:colons")), lookup(json, "reg.example:5000"));
        assertEquals(Optional.empty(), lookup(json, "unknown.example"));
        assertEquals(List.of("get https://index.docker.io/v1/", "get reg.example:5000", "get unknown.example"),
                Files.readAllLines(asked));
    }

    @Test
    void credHelpersNameAHelperPerRegistryAndWinOverCredsStoreAndAuths() throws IOException {
        String json = "{\"credsStore\": \"broken\", \"credHelpers\": {\"reg.example:5000\": \"store\"},"
                + " \"auths\": {\"reg.example:5000\": {\"username\": \"inline\", \"password\": \"x\"}}}";
        assertEquals(Optional.of(new Credentials("alice", "s3cret:with:colons")), lookup(json, "reg.example:5000"));
        // every other registry goes to credsStore, which fails here: one line, no secret in it
        IOException e = assertThrows(IOException.class, () -> lookup(json, "other.example"));
        assertEquals("credential helper docker-credential-broken failed for other.example (exit 3: dbus is not running)", e.getMessage());
    }

    @Test
    void aMissingOrUnusableHelperIsOneLineNamingIt() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> lookup("{\"credsStore\": \"desktop\"}", "reg.example:5000"));
        assertEquals("credential helper docker-credential-desktop (named in " + config + ") is not on PATH", missing.getMessage());
        IOException token = assertThrows(IOException.class, () -> lookup("{\"credsStore\": \"token\"}", "reg.example:5000"));
        assertTrue(token.getMessage().contains("identity token") && !token.getMessage().contains("refresh"), token.getMessage());
        IOException name = assertThrows(IOException.class, () -> lookup("{\"credsStore\": \"../../bin/sh\"}", "reg.example:5000"));
        assertTrue(name.getMessage().contains("credential helper must be named"), name.getMessage());
        assertFalse(Files.exists(asked));
    }
}
