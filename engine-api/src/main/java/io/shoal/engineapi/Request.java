package io.shoal.engineapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.dockermodel.Json;

import java.util.List;
import java.util.Map;

/**
 * One request as the routes see it: the method, the path without its version prefix, the version
 * it asked for, the path's {@code {name}} parameters, the query, the headers it may need and the body.
 */
public record Request(String method, String path, ApiVersion version, Map<String, String> pathParams,
                      Map<String, List<String>> query, Map<String, String> headers, byte[] body) {

    public Request withPathParams(Map<String, String> params) {
        return new Request(method, path, version, params, query, headers, body);
    }

    /** A path parameter, e.g. {@code id} of {@code /services/{id}}. */
    public String param(String name) {
        return pathParams.getOrDefault(name, "");
    }

    /** The last value of a query parameter; null when absent. */
    public String query(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }

    /** Docker's boolean query values: 1, true, True (and anything but 0/false/empty) are true. */
    public boolean flag(String name) {
        String v = query(name);
        return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    /** An integer query parameter; {@code dflt} when absent; a malformed one is a 400 naming it. */
    public long number(String name, long dflt) {
        String v = query(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid value for " + name + ": '" + v + "' is not an integer");
        }
    }

    /** A header by its lower-case name; null when absent. */
    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public JsonNode json() {
        return Json.parse(body);
    }
}
