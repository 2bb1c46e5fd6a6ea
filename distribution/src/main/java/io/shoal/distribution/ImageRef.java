package io.shoal.distribution;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An image reference as users write it: {@code [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST]}.
 * Without a registry (no '.' or ':' in the first component, and not 'localhost') it is Docker
 * Hub's, and so it is when the registry is written {@code docker.io} or {@code index.docker.io}
 * (docker's own names for it); a Hub repository of one component is an official image under
 * {@code library/}. Without tag or digest it is {@code latest}. Repository components follow
 * docker's grammar: lowercase letters and digits, separated by one '.', one or two '_', or any
 * number of '-'. A registry is a host name, an IPv4 address or a bracketed IPv6 address, with an
 * optional port.
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "registry-1.docker.io";
    /** the names docker accepts for Docker Hub in a reference */
    private static final Set<String> HUB_NAMES = Set.of("docker.io", "index.docker.io", DOCKER_HUB);
    /** docker's domain: DNS labels joined by '.', or an IPv6 address in brackets, then an optional port */
    private static final Pattern REGISTRY = Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
            + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+])(?::[0-9]{1,5})?");
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

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
                if (!REGISTRY.matcher(first).matches()) {
                    throw new IllegalArgumentException("invalid image reference '" + ref + "': registry '" + first
                            + "' is not a host name or address with an optional port");
                }
                registry = HUB_NAMES.contains(first.toLowerCase(Locale.ROOT)) ? DOCKER_HUB : first;
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
        if (!validRepository(rest)) {
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

    private static boolean validRepository(String repository) {
        for (String component : repository.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                return false;
            }
        }
        return true;
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
