package dev.upsertingest.loadtest.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A PNG line chart (Java2D, headless): categories on x, one line per series. Enough for comparing benchmark runs. */
public final class LineChart {

    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<String> categories;
    private final Map<String, double[]> series = new LinkedHashMap<>();

    public LineChart(String title, String xLabel, String yLabel, List<String> categories) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.categories = List.copyOf(categories);
    }

    /** Adds a line; {@code NaN} leaves a point out. */
    public LineChart series(String name, double[] values) {
        if (values.length != categories.size()) {
            throw new IllegalArgumentException("series " + name + " has " + values.length + " values for "
                    + categories.size() + " categories");
        }
        series.put(name, values.clone());
        return this;
    }

    public void writePng(Path file) throws IOException {
        int legendWidth = 0;
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        probe.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (String name : series.keySet()) {
            legendWidth = Math.max(legendWidth, probe.getFontMetrics().stringWidth(name));
        }
        probe.dispose();
        int left = 90, right = legendWidth + 60, top = 60, bottom = 70;
        int width = 800 + right, height = 600;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);

        double max = series.values().stream().flatMapToDouble(java.util.Arrays::stream)
                .filter(v -> !Double.isNaN(v)).max().orElse(1);
        double yMax = niceCeiling(max * 1.05);
        int plotW = width - left - right, plotH = height - top - bottom;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(title, left, 35);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();

        for (int i = 0; i <= 5; i++) {
            int y = top + plotH - plotH * i / 5;
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.DARK_GRAY);
            String label = String.format("%,.0f", yMax * i / 5);
            g.drawString(label, left - 8 - fm.stringWidth(label), y + 5);
        }
        // Long series (one point per second) get every n-th label only, so labels never overlap.
        int widest = categories.stream().mapToInt(fm::stringWidth).max().orElse(0) + 12;
        int step = Math.max(1, (int) Math.ceil(categories.size() * (double) widest / plotW));
        for (int i = 0; i < categories.size(); i += step) {
            int x = xFor(i, left, plotW);
            String label = categories.get(i);
            g.drawString(label, x - fm.stringWidth(label) / 2, top + plotH + 20);
        }
        g.drawString(xLabel, left + plotW / 2 - fm.stringWidth(xLabel) / 2, height - 20);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(top + plotH / 2 + fm.stringWidth(yLabel) / 2), 20);
        rotated.dispose();
        g.setColor(Color.BLACK);
        g.drawRect(left, top, plotW, plotH);

        int index = 0;
        for (Map.Entry<String, double[]> line : series.entrySet()) {
            Color color = PALETTE[index % PALETTE.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2.5f));
            double[] values = line.getValue();
            Integer px = null, py = null;
            for (int i = 0; i < values.length; i++) {
                if (Double.isNaN(values[i])) {
                    px = null;
                    continue;
                }
                int x = xFor(i, left, plotW);
                int y = top + plotH - (int) Math.round(plotH * values[i] / yMax);
                if (values.length <= 40) {
                    g.fillOval(x - 4, y - 4, 8, 8);
                }
                if (px != null) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            int legendY = top + 10 + index * 22;
            g.fillRect(left + plotW + 15, legendY - 8, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(line.getKey(), left + plotW + 35, legendY);
            index++;
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private int xFor(int index, int left, int plotW) {
        return categories.size() == 1 ? left + plotW / 2 : left + 30 + (plotW - 60) * index / (categories.size() - 1);
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[]{1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
