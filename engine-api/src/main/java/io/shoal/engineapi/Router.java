package io.shoal.engineapi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's paths: each route is a method and a pattern whose {@code {name}} segments match one
 * path segment (e.g. {@code /services/{id}/update}) and whose one {@code {name*}} segment, if any,
 * matches one or more (an image name with slashes in {@code /distribution/{name*}/json}). A path
 * no route matches is dockerd's {@code 404 page not found}.
 */
public final class Router {
    /** What answers one route. */
    @FunctionalInterface
    public interface Handler {
        void handle(Request request, Exchange exchange) throws Exception;
    }

    private record Route(String method, String[] segments, Handler handler) {}

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String pattern, Handler handler) {
        routes.add(new Route(method, split(pattern), handler));
        return this;
    }

    public Router get(String pattern, Handler handler) {
        return add("GET", pattern, handler);
    }

    public Router post(String pattern, Handler handler) {
        return add("POST", pattern, handler);
    }

    public Router delete(String pattern, Handler handler) {
        return add("DELETE", pattern, handler);
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    /** The matching handler with the request's path parameters filled in. */
    public record Match(Handler handler, Request request) {}

    /** The route for {@code request} ({@code HEAD} is answered by the {@code GET} route); a 404 when none. */
    public Match route(Request request) {
        String[] path = split(request.path());
        String method = request.method().equals("HEAD") ? "GET" : request.method();
        for (Route r : routes) {
            if (r.method.equals(method)) {
                Map<String, String> params = match(r.segments, path);
                if (params != null) {
                    return new Match(r.handler, request.withPathParams(params));
                }
            }
        }
        throw ApiError.notFound("page not found");
    }

    private static Map<String, String> match(String[] pattern, String[] path) {
        int greedy = -1;
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].endsWith("*}")) {
                greedy = i;
            }
        }
        int extra = path.length - pattern.length;
        if (greedy < 0 ? extra != 0 : extra < 0) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        int p = 0;
        for (int i = 0; i < pattern.length; i++) {
            String s = pattern[i];
            if (i == greedy) {
                params.put(s.substring(1, s.length() - 2), String.join("/", List.of(path).subList(p, p + extra + 1)));
                p += extra + 1;
            } else if (s.startsWith("{") && s.endsWith("}")) {
                if (path[p].isEmpty()) {
                    return null;
                }
                params.put(s.substring(1, s.length() - 1), path[p++]);
            } else if (!s.equals(path[p++])) {
                return null;
            }
        }
        return params;
    }
}
