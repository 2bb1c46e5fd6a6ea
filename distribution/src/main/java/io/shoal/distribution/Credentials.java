package io.shoal.distribution;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password for one registry, as a service spec or a docker-style
 * {@code config.json} gives them. They are only ever sent to the registry (Basic) or to the token
 * service it names (Bearer); {@link #toString()} and every error message leave the password out.
 */
public record Credentials(String username, String password) {
    public Credentials {
        if (username == null || username.isEmpty() || username.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a registry user name must be non-empty and contain no ':'");
        }
        if (password == null) {
            throw new IllegalArgumentException("a registry password must be given (it may be empty)");
        }
    }

    /**
     * Credentials from docker's {@code auth} form: base64 of {@code user:password} (the password may
     * itself contain ':'). The message of a refusal never repeats the value.
     */
    public static Credentials fromAuth(String base64) {
        String plain;
        try {
            plain = new String(Base64.getDecoder().decode(base64 == null ? "" : base64.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("registry auth is not base64 of 'user:password'");
        }
        int colon = plain.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("registry auth is not base64 of 'user:password'");
        }
        return new Credentials(plain.substring(0, colon), plain.substring(colon + 1));
    }

    /** Docker's {@code auth} form: base64 of {@code user:password}. */
    public String auth() {
        return Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The value of an {@code Authorization: Basic} header. */
    public String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=***]";
    }
}
