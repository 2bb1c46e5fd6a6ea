package io.shoal.worker.image;

import io.shoal.distribution.Credentials;
import io.shoal.worker.image.TestRegistry.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pulls from registries that demand credentials, given explicitly or found in a docker config.json. */
class RegistryAuthTest {
    static final String PASSWORD = "s3cret-Pa55";
    static final String WRONG = "hunter2-not-it";

    @TempDir
    Path dir;
    TestRegistry registry;
    String image;

    @BeforeEach
    void start() throws IOException {
        registry = new TestRegistry();
        registry.user = "alice";
        registry.password = PASSWORD;
        registry.push("team/app", "v1", List.of("/bin/sh"), List.of(List.of(Entry.file("hello", "hi"))));
        image = registry.host() + "/team/app:v1";
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private ImageStore store(Path dockerConfig) throws IOException {
        return new ImageStore(dir.resolve("store"), Set.of(registry.host()), dockerConfig);
    }

    private Path dockerConfig(String json) throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, json);
        return f;
    }

    private static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicAuthPullsWithTheRightCredentialsOnly() throws Exception {
        registry.basicAuth = true;
        assertPullsOnlyWithTheRightCredentials();
    }

    @Test
    void bearerTokensAreFetchedWithTheCredentials() throws Exception {
        assertPullsOnlyWithTheRightCredentials();
        assertEquals(TestRegistry.basic("alice", PASSWORD), registry.tokenAuthorization.getLast(),
                "the token service got the Basic credentials");
    }

    private void assertPullsOnlyWithTheRightCredentials() throws Exception {
        IOException none = assertThrows(IOException.class, () -> store(null).pull(image));
        assertTrue(none.getMessage().startsWith("registry " + registry.host() + " needs credentials to pull team/app"), none.getMessage());

        IOException wrong = assertThrows(IOException.class, () -> store(null).pull(image, new Credentials("alice", WRONG)));
        assertEquals("registry " + registry.host() + " refused the credentials of user 'alice' for team/app", wrong.getMessage());

        Image img = store(null).pull(image, new Credentials("alice", PASSWORD));
        assertEquals("hi", Files.readString(img.layers().getFirst().resolve("hello")));
    }

    @Test
    void anonymousTokensStillWorkAndSendNoCredentials() throws Exception {
        registry.user = null;
        registry.requireToken = true;
        assertEquals(1, store(null).pull(image).layers().size());
        assertEquals(List.of("none"), registry.tokenAuthorization);
    }

    @Test
    void dockerConfigIsFoundByHostAndPort() throws Exception {
        registry.basicAuth = true;
        Path cfg = dockerConfig("{\"auths\": {\"other.example\": {\"auth\": \"" + auth("bob", "x") + "\"},"
                + " \"" + registry.host() + "\": {\"auth\": \"" + auth("alice", PASSWORD) + "\"}}}");
        assertEquals(1, store(cfg).pull(image).layers().size());
    }

    @Test
    void dockerConfigKeysMayBeUrlsAndHoldUsernameAndPassword() throws Exception {
        Path cfg = dockerConfig("{\"auths\": {\"https://" + registry.host() + "/v1/\": {\"username\": \"alice\", \"password\": \""
                + PASSWORD + "\"}}}");
        assertEquals(1, store(cfg).pull(image).layers().size());
    }

    @Test
    void explicitCredentialsWinOverDockerConfig() throws Exception {
        registry.basicAuth = true;
        Path wrongInFile = dockerConfig("{\"auths\": {\"" + registry.host() + "\": {\"auth\": \"" + auth("alice", WRONG) + "\"}}}");
        assertEquals(1, store(wrongInFile).pull(image, new Credentials("alice", PASSWORD)).layers().size());

        Path rightInFile = dockerConfig("{\"auths\": {\"" + registry.host() + "\": {\"auth\": \"" + auth("alice", PASSWORD) + "\"}}}");
        IOException e = assertThrows(IOException.class,
                () -> new ImageStore(dir.resolve("other"), Set.of(registry.host()), rightInFile).pull(image, new Credentials("mallory", WRONG)));
        assertTrue(e.getMessage().contains("refused the credentials of user 'mallory'"), e.getMessage());
    }

    @Test
    void credentialsNeverLeaveTheRegistryOnARedirect() throws Exception {
        registry.basicAuth = true;
        registry.redirectBlobs = true;
        assertEquals(1, store(null).pull(image, new Credentials("alice", PASSWORD)).layers().size());
        assertFalse(registry.storageAuthorization.isEmpty(), "blobs came from the storage server");
        assertTrue(registry.storageAuthorization.stream().allMatch("none"::equals), registry.storageAuthorization.toString());
    }

    @Test
    void passwordsStayOutOfMessages() throws Exception {
        Credentials c = Credentials.fromAuth(auth("alice", "pa:ss"));
        assertEquals(new Credentials("alice", "pa:ss"), c, "a password may hold ':'");
        assertFalse(c.toString().contains("pa:ss"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Credentials.fromAuth(Base64.getEncoder().encodeToString(PASSWORD.getBytes())));
        assertFalse(bad.getMessage().contains(PASSWORD));
        Path broken = dockerConfig("{\"auths\": {\"" + registry.host() + "\": {\"auth\": \"" + PASSWORD + "\" ");
        IOException e = assertThrows(IOException.class, () -> store(broken).pull(image));
        assertTrue(e.getMessage().contains("is not valid JSON"), e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    }
}
