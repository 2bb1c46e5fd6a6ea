package io.shoal.engineapi;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.dockermodel.InvalidSpec;

/**
 * A request that failed, as docker answers it: an HTTP status and {@code {"message": "..."}}.
 * Control API errors map as dockerd maps swarmkit's gRPC codes.
 */
public final class ApiError extends RuntimeException {
    private final int status;

    public ApiError(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    public static ApiError unavailable(String message) {
        return new ApiError(503, message);
    }

    public static ApiError notImplemented(String message) {
        return new ApiError(501, message);
    }

    /** The error a handler's exception becomes. */
    public static ApiError of(Throwable e) {
        return switch (e) {
            case ApiError a -> a;
            case InvalidSpec s -> badRequest(s.getMessage());
            case StatusRuntimeException s -> grpc(s.getStatus());
            default -> new ApiError(500, e.getMessage() == null ? e.toString() : e.getMessage());
        };
    }

    /** As dockerd's statusCodeFromGRPCError. */
    static ApiError grpc(Status s) {
        String m = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
        int code = switch (s.getCode()) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case PERMISSION_DENIED, UNAUTHENTICATED -> 403;
            case UNAVAILABLE, DEADLINE_EXCEEDED -> 503;
            case UNIMPLEMENTED -> 501;
            default -> 500;
        };
        return new ApiError(code, m);
    }
}
