package io.shoal.net.sys;

import java.util.List;

/** A command that exited non-zero or could not run; the message names the command and its first error line. */
public final class CommandException extends RuntimeException {
    private final int exitCode;
    private final String stderr;

    public CommandException(List<String> argv, int exitCode, String stderr) {
        super(String.join(" ", argv) + " failed (exit " + exitCode + "): " + firstLine(stderr));
        this.exitCode = exitCode;
        this.stderr = stderr;
    }

    public int exitCode() {
        return exitCode;
    }

    public String stderr() {
        return stderr;
    }

    private static String firstLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
