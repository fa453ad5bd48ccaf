package dev.upsertingest.loadtest;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A scenario's options: {@code --name value} and {@code --name=value} alike, flags that honour {@code =false}. */
class OptionsTest {

    @Test
    void bothFormsGiveTheSameValues() {
        Options spaced = new Options(List.of("--rounds", "3", "--methods", "unnest,copy"));
        Options joined = new Options(List.of("--rounds=3", "--methods=unnest,copy"));
        assertThat(spaced.number("rounds", 1)).isEqualTo(3).isEqualTo(joined.number("rounds", 1));
        assertThat(spaced.list("methods", "")).containsExactly("unnest", "copy").isEqualTo(joined.list("methods", ""));
    }

    @Test
    void aFlagAloneIsTrueAndFalseIsFalse() {
        assertThat(new Options(List.of("--keep")).flag("keep")).isTrue();
        assertThat(new Options(List.of("--keep", "--rounds", "2")).flag("keep")).isTrue();
        assertThat(new Options(List.of("--keep=false")).flag("keep")).isFalse();
        assertThat(new Options(List.of("--keep", "false")).flag("keep")).isFalse();
        assertThat(new Options(List.of()).flag("keep")).isFalse();
        assertThatThrownBy(() -> new Options(List.of("--keep=yes")).flag("keep"))
                .hasMessageContaining("--keep is true or false");
    }

    @Test
    void strayArgumentsAndUnknownOptionsAreRefused() {
        assertThatThrownBy(() -> new Options(List.of("rounds"))).hasMessageContaining("unexpected argument 'rounds'");
        Options options = new Options(List.of("--roudns", "3"));
        options.number("rounds", 1);
        assertThatThrownBy(options::rejectUnknown).hasMessageContaining("--roudns");
    }
}
