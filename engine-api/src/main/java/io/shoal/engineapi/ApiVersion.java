package io.shoal.engineapi;

/**
 * Docker's API version negotiation: a request names its version in its path ({@code /v1.41/info});
 * without one it gets the highest served. Versions above the highest or below the lowest are
 * refused with dockerd's messages.
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    /** The highest version served in full (docker 20.10's). */
    public static final ApiVersion MAX = new ApiVersion(1, 41);
    /** The lowest accepted (docker's current minimum). */
    public static final ApiVersion MIN = new ApiVersion(1, 24);

    /** Parses {@code 1.41}; null when it is not a version. */
    public static ApiVersion parse(String v) {
        int dot = v.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        try {
            return new ApiVersion(Integer.parseInt(v.substring(0, dot)), Integer.parseInt(v.substring(dot + 1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A request's path split into its version and the path without the version prefix. */
    public record Versioned(ApiVersion version, String path) {}

    /** Splits {@code /v1.41/services} into 1.41 and {@code /services}; refuses versions not served. */
    public static Versioned of(String path) {
        if (path.startsWith("/v")) {
            int slash = path.indexOf('/', 2);
            String v = slash < 0 ? path.substring(2) : path.substring(2, slash);
            ApiVersion parsed = parse(v);
            if (parsed != null) {
                if (parsed.compareTo(MAX) > 0) {
                    throw ApiError.badRequest("client version " + v + " is too new. Maximum supported API version is " + MAX);
                }
                if (parsed.compareTo(MIN) < 0) {
                    throw ApiError.badRequest("client version " + v + " is too old. Minimum supported API version is " + MIN
                            + ", please upgrade your client to a newer version");
                }
                return new Versioned(parsed, slash < 0 ? "/" : path.substring(slash));
            }
        }
        return new Versioned(MAX, path);
    }

    public boolean atLeast(int maj, int min) {
        return compareTo(new ApiVersion(maj, min)) >= 0;
    }

    @Override
    public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
