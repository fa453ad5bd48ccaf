package dev.upsertingest.loadtest.report;

import java.util.ArrayList;
import java.util.List;

/** The table a benchmark prints at its end: a header and rows of cells, the first column left-aligned, the rest right. */
public final class SummaryTable {

    private final List<String[]> rows = new ArrayList<>();

    public SummaryTable(String... header) {
        rows.add(header);
    }

    public SummaryTable row(Object... cells) {
        String[] text = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            text[i] = format(cells[i]);
        }
        rows.add(text);
        return this;
    }

    private static String format(Object cell) {
        if (cell == null) {
            return "-";
        }
        if (cell instanceof Double d) {
            return Double.isNaN(d) ? "-" : Math.abs(d) >= 100 ? String.format("%,.0f", d) : String.format("%.2f", d);
        }
        if (cell instanceof Long || cell instanceof Integer) {
            return String.format("%,d", cell);
        }
        return cell.toString();
    }

    @Override
    public String toString() {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            out.append("  ");
            for (int i = 0; i < row.length; i++) {
                out.append(i == 0 ? String.format("%-" + widths[i] + "s", row[i]) : String.format("  %" + widths[i] + "s", row[i]));
            }
            out.append('\n');
            if (r == 0) {
                out.append("  ").append("-".repeat(java.util.Arrays.stream(widths).sum() + 2 * (columns - 1))).append('\n');
            }
        }
        return out.toString();
    }
}
