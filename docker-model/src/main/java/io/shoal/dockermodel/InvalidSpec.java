package io.shoal.dockermodel;

/**
 * A request body that cannot become a Shoal spec: malformed, of the wrong type, or asking for
 * something Shoal does not do. The message names the field by its path in docker's JSON and says
 * what is wrong; docker answers such a request with 400.
 */
public final class InvalidSpec extends IllegalArgumentException {
    public InvalidSpec(String message) {
        super(message);
    }
}
