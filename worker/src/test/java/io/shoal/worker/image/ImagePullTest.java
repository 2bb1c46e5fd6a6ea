package io.shoal.worker.image;

import io.shoal.distribution.ImageRef;
import io.shoal.worker.image.TestRegistry.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pulls from a registry that serves several platforms, breaks downloads off, and layers with PAX extended attributes. */
class ImagePullTest {
    /** security.capability, VFS_CAP_REVISION_2 with the effective bit: cap_setuid (bit 7) and cap_net_raw (bit 13), bytes >= 0x80 */
    private static final byte[] CAPS = {0x01, 0x00, 0x00, 0x02, (byte) 0x80, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    @TempDir
    Path dir;
    TestRegistry registry;
    ImageStore store;

    @BeforeEach
    void start() throws IOException {
        registry = new TestRegistry();
        store = new ImageStore(dir.resolve("store"), Set.of(registry.host()));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    /** An index of arm64 (listed first) and amd64 images, each with a file naming its architecture. */
    private Map<String, String> pushTwoPlatforms() throws IOException {
        Map<String, String> byPlatform = new LinkedHashMap<>();
        for (String arch : List.of("arm64", "amd64")) {
            String digest = registry.pushLayers("multi", arch, List.of("/bin/sh"),
                    List.of(TestRegistry.Layer.gzip(List.of(Entry.file("arch", arch)))));
            byPlatform.put("linux/" + arch + (arch.equals("arm64") ? "/v8" : ""), digest);
        }
        registry.pushIndex("multi", "latest", byPlatform);
        return byPlatform;
    }

    @Test
    void anIndexOfTwoPlatformsGivesEachNodeItsOwn() throws Exception {
        Map<String, String> byPlatform = pushTwoPlatforms();
        Platform here = Platform.current();
        Assumptions.assumeTrue(Set.of("amd64", "arm64").contains(here.architecture()), "the test index has amd64 and arm64");
        Image img = store.pull(registry.host() + "/multi:latest");
        assertEquals(here.architecture(), Files.readString(img.layers().get(0).resolve("arch")));

        ImageRef ref = ImageRef.parse(registry.host() + "/multi:latest");
        RegistryClient arm = new RegistryClient(Set.of(registry.host()), new Platform("linux", "arm64", "v8"));
        assertEquals(byPlatform.get("linux/arm64/v8"), arm.manifest(ref, null).digest());
        RegistryClient armNoVariant = new RegistryClient(Set.of(registry.host()), new Platform("linux", "arm64", ""));
        assertEquals(byPlatform.get("linux/arm64/v8"), armNoVariant.manifest(ref, null).digest());
        RegistryClient amd = new RegistryClient(Set.of(registry.host()), new Platform("linux", "amd64", ""));
        assertEquals(byPlatform.get("linux/amd64"), amd.manifest(ref, null).digest());
        RegistryClient s390x = new RegistryClient(Set.of(registry.host()), new Platform("linux", "s390x", ""));
        IOException none = assertThrows(IOException.class, () -> s390x.manifest(ref, null));
        assertEquals("image " + ref + " has no linux/s390x variant", none.getMessage());
    }

    /** An image with one large layer that gzip cannot shrink, so a download cut in half is really partial. */
    private byte[] pushLarge() throws IOException {
        byte[] noise = new byte[512 * 1024];
        new Random(7).nextBytes(noise);
        registry.pushLayers("big", "v1", List.of("/bin/sh"), List.of(TestRegistry.Layer.gzip(List.of(new Entry("noise", noise, 0644, null)))));
        return noise;
    }

    @Test
    void aDownloadThatBreaksOffResumesWhereItStopped() throws Exception {
        byte[] noise = pushLarge();
        registry.cutBlobs.set(2); // the config's and the layer's first downloads are both cut
        Image img = store.pull(registry.host() + "/big:v1");
        assertArrayEquals(noise, Files.readAllBytes(img.layers().get(0).resolve("noise")));
        List<String> ranges = registry.blobRanges;
        assertEquals(4, ranges.size(), ranges.toString());
        assertEquals(2, ranges.stream().filter(r -> r.matches("bytes=[1-9]\\d*-")).count(), "each cut download resumed: " + ranges);
        assertNoPartialDownloads();
    }

    @Test
    void aRegistryBrieflyUnavailableIsAskedAgain() throws Exception {
        byte[] noise = pushLarge();
        registry.unavailableBlobs.set(2);
        Image img = store.pull(registry.host() + "/big:v1");
        assertArrayEquals(noise, Files.readAllBytes(img.layers().get(0).resolve("noise")));
    }

    @Test
    void aRegistryThatStaysUnavailableIsOneLineAndLeavesNothing() throws Exception {
        pushLarge();
        registry.unavailableBlobs.set(100);
        IOException e = assertThrows(IOException.class, () -> store.pull(registry.host() + "/big:v1"));
        assertTrue(e.getMessage().startsWith("registry answered 503 for blob sha256:") && e.getMessage()
                .endsWith("(gave up after " + RegistryClient.BLOB_ATTEMPTS + " attempts)"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        assertEquals(RegistryClient.BLOB_ATTEMPTS, registry.blobRanges.size());
        assertEquals(0, store.layerCount());
        assertNoPartialDownloads();
    }

    private void assertNoPartialDownloads() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            assertEquals(List.of(), s.filter(p -> p.toString().endsWith(".part")).toList());
        }
    }

    @Test
    void fileCapabilitiesAndXattrsInPaxHeadersAreKeptByteForByte() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "security.capability needs CAP_SETFCAP (root)");
        String longDir = "opt/" + "d".repeat(120);
        Map<String, byte[]> caps = new LinkedHashMap<>();
        caps.put("SCHILY.xattr.security.capability", CAPS);
        caps.put("SCHILY.xattr.user.note", "hello".getBytes(StandardCharsets.UTF_8));
        caps.put("SCHILY.xattr.trusted.overlay.opaque", "y".getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> longPath = new LinkedHashMap<>();
        longPath.put("path", (longDir + "/tool").getBytes(StandardCharsets.UTF_8));
        longPath.put("SCHILY.xattr.user.where", "deep".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        RawTar.entry(tar, "bin/", '5', new byte[0]);
        RawTar.pax(tar, caps);
        RawTar.entry(tar, "bin/ping", '0', "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        RawTar.entry(tar, "bin/plain", '0', "plain".getBytes(StandardCharsets.UTF_8));
        RawTar.entry(tar, "opt/", '5', new byte[0]);
        RawTar.entry(tar, longDir + "/", '5', new byte[0]);
        RawTar.pax(tar, longPath);
        RawTar.entry(tar, "opt/shortened", '0', "t".getBytes(StandardCharsets.UTF_8));
        RawTar.end(tar);
        Path blob = dir.resolve("layer.tar.gz");
        Files.write(blob, TestRegistry.gzip(tar.toByteArray()));

        Path layer = dir.resolve("layer");
        LayerUnpacker.Unpacked u = LayerUnpacker.unpack(blob, layer);
        assertEquals(TestRegistry.digest(tar.toByteArray()), u.diffId());
        Path ping = layer.resolve("bin/ping");
        assertArrayEquals(CAPS, Native.getxattr(ping, "security.capability"));
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), Native.getxattr(ping, "user.note"));
        assertNull(Native.getxattr(ping, "trusted.overlay.opaque"), "a layer does not steer overlayfs");
        assertNull(Native.getxattr(layer.resolve("bin/plain"), "user.note"), "attributes belong to their entry only");
        Path tool = layer.resolve(longDir + "/tool");
        assertEquals("t", Files.readString(tool));
        assertArrayEquals("deep".getBytes(StandardCharsets.UTF_8), Native.getxattr(tool, "user.where"));
        Process getcap = new ProcessBuilder("getcap", ping.toString()).redirectErrorStream(true).start();
        String out = new String(getcap.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        getcap.waitFor();
        assertTrue(out.contains("cap_setuid") && out.contains("cap_net_raw"), out);
    }

    /** Tar written block by block, so PAX values can be any bytes (commons-compress writes them as UTF-8 text). */
    static final class RawTar {
        private RawTar() {}

        static void pax(ByteArrayOutputStream out, Map<String, byte[]> records) throws IOException {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
                int rest = 1 + key.length + 1 + r.getValue().length + 1; // ' ' key '=' value '\n'
                int len = rest + Integer.toString(rest).length();
                if (Integer.toString(len).length() != Integer.toString(rest).length()) {
                    len++;
                }
                data.write((len + " ").getBytes(StandardCharsets.US_ASCII));
                data.write(key);
                data.write('=');
                data.write(r.getValue());
                data.write('\n');
            }
            entry(out, "PaxHeaders/x", 'x', data.toByteArray());
        }

        static void entry(ByteArrayOutputStream out, String name, char type, byte[] data) throws IOException {
            byte[] h = new byte[512];
            put(h, 0, name.getBytes(StandardCharsets.UTF_8));
            put(h, 100, octal(type == '5' ? 0755 : 0644, 8));
            put(h, 108, octal(0, 8));
            put(h, 116, octal(0, 8));
            put(h, 124, octal(data.length, 12));
            put(h, 136, octal(1_700_000_000L, 12));
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            h[156] = (byte) type;
            put(h, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII));
            put(h, 263, "00".getBytes(StandardCharsets.US_ASCII));
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, octal(sum, 7));
            out.write(h);
            out.write(data);
            out.write(new byte[(512 - data.length % 512) % 512]);
        }

        static void end(ByteArrayOutputStream out) throws IOException {
            out.write(new byte[1024]);
        }

        /** {@code width - 1} octal digits and a NUL. */
        private static byte[] octal(long v, int width) {
            String s = Long.toOctalString(v);
            return ("0".repeat(width - 1 - s.length()) + s + "\0").getBytes(StandardCharsets.US_ASCII);
        }

        private static void put(byte[] h, int off, byte[] v) {
            System.arraycopy(v, 0, h, off, v.length);
        }
    }
}
