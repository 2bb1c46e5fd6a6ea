package io.shoal.cli.output;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligns tab-separated cells into columns as Go's tabwriter does for docker's {@code table}
 * formats: each cell but a line's last is padded to its column's widest cell plus 3 spaces, and
 * to at least 10 characters.
 */
public final class TabWriter {
    static final int MIN_WIDTH = 10;
    static final int PADDING = 3;

    private TabWriter() {}

    public static String align(List<String> lines) {
        List<String[]> cells = new ArrayList<>();
        int columns = 0;
        for (String l : lines) {
            String[] c = l.split("\t", -1);
            cells.add(c);
            columns = Math.max(columns, c.length);
        }
        int[] width = new int[columns];
        for (String[] c : cells) {
            for (int i = 0; i < c.length - 1; i++) {
                width[i] = Math.max(width[i], Math.max(MIN_WIDTH, c[i].codePointCount(0, c[i].length()) + PADDING));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                sb.append(c[i]);
                if (i < c.length - 1) {
                    sb.append(" ".repeat(width[i] - c[i].codePointCount(0, c[i].length())));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
