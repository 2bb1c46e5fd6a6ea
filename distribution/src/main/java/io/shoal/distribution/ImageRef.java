package io.shoal.distribution;

/**
 * An image reference as users write it: {@code [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST]}.
 * Without a registry (no '.' or ':' in the first component, and not 'localhost') it is Docker
 * Hub's, with official images under {@code library/}; without tag or digest it is {@code latest}.
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "registry-1.docker.io";

    public static ImageRef parse(String ref) {
        if (ref == null || ref.isBlank() || ref.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("invalid image reference '" + ref + "'");
        }
        String rest = ref;
        String digest = "";
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!digest.matches("sha256:[0-9a-f]{64}")) {
                throw new IllegalArgumentException("invalid image reference '" + ref + "': the digest must be sha256:<64 hex>");
            }
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        String tag = "";
        int colon = rest.lastIndexOf(':');
        if (colon > 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!tag.matches("[\\w][\\w.-]{0,127}")) {
                throw new IllegalArgumentException("invalid image reference '" + ref + "': bad tag '" + tag + "'");
            }
        }
        if (!rest.matches("[a-z0-9]+(?:[._-][a-z0-9]+|__)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*")) {
            throw new IllegalArgumentException("invalid image reference '" + ref + "': repository names are lowercase letters, digits, '.', '_', '-' and '/'");
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (tag.isEmpty() && digest.isEmpty()) {
            tag = "latest";
        }
        return new ImageRef(registry, rest, tag, digest);
    }

    /** What to ask the registry for: the digest when given, else the tag. */
    public String reference() {
        return digest.isEmpty() ? tag : digest;
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag.isEmpty() ? "" : ":" + tag) + (digest.isEmpty() ? "" : "@" + digest);
    }
}
