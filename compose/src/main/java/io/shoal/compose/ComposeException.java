package io.shoal.compose;

/**
 * A compose file that cannot be deployed: names the file, the path inside it and the problem, as
 * {@code app.yml: services.web.ports[1]: invalid port "80:abc"}.
 */
public final class ComposeException extends RuntimeException {
    private final String file;
    private final String path;
    private final String problem;

    public ComposeException(String file, String path, String problem) {
        super(format(file, path, problem));
        this.file = file;
        this.path = path;
        this.problem = problem;
    }

    private static String format(String file, String path, String problem) {
        StringBuilder b = new StringBuilder();
        if (file != null && !file.isEmpty()) {
            b.append(file).append(": ");
        }
        if (path != null && !path.isEmpty()) {
            b.append(path).append(": ");
        }
        return b.append(problem).toString();
    }

    public String file() {
        return file;
    }

    public String path() {
        return path;
    }

    public String problem() {
        return problem;
    }
}
