package dev.upsertingest.fuzz;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The codes the fuzz accepts as documented are exactly the README's Events table. */
class ReasonCodesTest {

    @Test
    void theDocumentedCodesAreTheReadmesEventsTable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## Events"));
        section = section.substring(0, section.indexOf("\n\n", section.indexOf("| rule |")));
        Set<String> codes = new TreeSet<>();
        for (String row : section.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| rule")).toList()) {
            String reasons = row.substring(row.lastIndexOf('|', row.length() - 2));
            Matcher code = Pattern.compile("`([a-z_]+)`").matcher(reasons);
            while (code.find()) {
                codes.add(code.group(1));
            }
        }
        assertThat(codes).isEqualTo(new TreeSet<>(ReasonCodes.DOCUMENTED));
    }
}
