package dev.upsertingest.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Columns padded to their widest cell, as {@code kubectl get} prints them. */
final class TextTable {

    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... header) {
        rows.add(header);
    }

    TextTable row(Object... cells) {
        rows.add(Arrays.stream(cells).map(c -> c == null ? "-" : String.valueOf(c)).toArray(String[]::new));
        return this;
    }

    boolean isEmpty() {
        return rows.size() == 1;
    }

    String render() {
        int columns = rows.getFirst().length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
