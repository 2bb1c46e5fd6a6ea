package io.shoal.distribution;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageRefTest {
    @Test
    void dockerHubsNamesAreOneRegistryWithOfficialImagesUnderLibrary() {
        ImageRef plain = ImageRef.parse("nginx");
        assertEquals(new ImageRef(ImageRef.DOCKER_HUB, "library/nginx", "latest", ""), plain);
        assertEquals(plain, ImageRef.parse("docker.io/nginx"));
        assertEquals(plain, ImageRef.parse("index.docker.io/nginx:latest"));
        assertEquals(plain, ImageRef.parse("docker.io/library/nginx"));
        assertEquals(new ImageRef(ImageRef.DOCKER_HUB, "bitnami/redis", "7.2", ""), ImageRef.parse("docker.io/bitnami/redis:7.2"));
        assertEquals(new ImageRef(ImageRef.DOCKER_HUB, "bitnami/redis", "latest", ""), ImageRef.parse("index.docker.io/bitnami/redis"));
    }

    @Test
    void otherRegistriesAreTakenAsWritten() {
        assertEquals(new ImageRef("localhost:5000", "team/app", "1.2", ""), ImageRef.parse("localhost:5000/team/app:1.2"));
        assertEquals(new ImageRef("ghcr.io", "org/tool", "latest", ""), ImageRef.parse("ghcr.io/org/tool"));
        // one component on another registry is not an official image
        assertEquals(new ImageRef("10.0.0.1:5000", "app", "latest", ""), ImageRef.parse("10.0.0.1:5000/app"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a__b", "a---b", "a-b_c.d", "org/my__image", "org/my--image/sub__path", "a0/b1/c2", "x.y/z__z"})
    void dockersNameGrammarIsAccepted(String name) {
        assertTrue(ImageRef.parse(name + ":1").repository().endsWith(name.startsWith("x.y/") ? "z__z" : name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a___b", "a..b", "-a", "a-", "a_", "_a", "a._b", "UPPER", "org//app", "org/", "a b", ""})
    void namesOutsideTheGrammarAreRefusedWithOneLine(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageRef.parse(name));
        assertTrue(e.getMessage().startsWith("invalid image reference"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
