package io.shoal.cli.template;

/**
 * A template that cannot be parsed or run, in one line as Go words it ({@code template: :1:8: ...}):
 * bad usage, so the command exits 2.
 */
public final class TemplateException extends IllegalArgumentException {
    public TemplateException(String message) {
        super(message);
    }
}
