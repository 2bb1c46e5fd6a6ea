package io.shoal.worker.image;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;
import java.util.Optional;

/**
 * An OCI platform ({@code os/architecture[/variant]}) and the choice of one manifest from an image
 * index: the entry of the node's own OS and architecture, preferring its variant (or no variant),
 * as docker's default platform matcher does; arm64 without a variant is v8.
 */
record Platform(String os, String architecture, String variant) {
    /** The platform this JVM runs on, in OCI's (Go's) names. */
    static Platform current() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> new Platform("linux", "amd64", "");
            case "aarch64", "arm64" -> new Platform("linux", "arm64", "v8");
            case "arm" -> new Platform("linux", "arm", "v7");
            case "x86", "i386", "i686" -> new Platform("linux", "386", "");
            case "ppc64le" -> new Platform("linux", "ppc64le", "");
            case "s390x" -> new Platform("linux", "s390x", "");
            case "riscv64" -> new Platform("linux", "riscv64", "");
            default -> new Platform("linux", arch, "");
        };
    }

    /** The digest of the manifest in {@code index} for this platform, if it has one. */
    Optional<String> choose(JsonNode index) {
        String sameArch = null;
        for (JsonNode d : index.path("manifests")) {
            JsonNode p = d.path("platform");
            if (!p.path("os").asText().equals(os) || !p.path("architecture").asText().equals(architecture)) {
                continue;
            }
            String v = p.path("variant").asText("");
            if (v.equals(variant) || v.isEmpty() || (architecture.equals("arm64") && v.equals("v8") && variant.isEmpty())) {
                return Optional.of(d.path("digest").asText());
            }
            if (sameArch == null) {
                sameArch = d.path("digest").asText();
            }
        }
        return Optional.ofNullable(sameArch);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }
}
