package dev.upsertingest.worker.it;

import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract of the view projections' casts: ingest.try_&lt;type&gt;(v) never raises, and is either NULL or exactly
 * what v::&lt;type&gt; gives (whole-number types also take a zero fraction, 42.0, as the numeric value it is). Checked
 * against the real cast, caught in an exception block, over a corpus of awkward input.
 */
class DefensiveCastsIT {

    private static final List<String> INPUTS = List.of(
            "0", "42", "-7", "+7", "42.0", "42.5", "007", " 12 ", "1e3", "1E-3", "6.02e23", ".5", "5.", "-.5e+2",
            "1e999", "1e1000", "1e400", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "2147483647", "2147483648", "-2147483648", "00000000000000000000042", "NaN", "Infinity", "1_000", "0x1F",
            "", " ", "n/a", "null", "12,5", "--1", "1e", "e5",
            "true", "FALSE", "t", "yes", "Y", "on", "off", "of", "o", "1 ", "maybe",
            "2026-11-20", "2026-11-20T10:15:30Z", "2026-11-20T10:15:30.123456Z", "2026-11-20 10:15:30+05:30",
            "2026-11-20T10:15:30", "2026-11-20t10:15z", "2026-02-29", "2024-02-29", "2026-02-31T00:00:00Z",
            "2026-13-01", "0000-01-01", "2026-11-20T24:00:00Z", "2026-11-20T23:59:60Z", "20261120", "yesterday",
            "now", "2026-11-20T10:15:30+25:00", "2026-11-20T10:15:30.1234567890Z",
            "6f1c1c6e-6c1a-4c59-9d1e-0a0b0c0d0e0f", "{6F1C1C6E-6C1A-4C59-9D1E-0A0B0C0D0E0F}",
            "6f1c1c6e6c1a4c599d1e0a0b0c0d0e0f", "6f1c-1c6e-6c1a-4c59-9d1e-0a0b-0c0d-0e0f", "6f1c1c6e-6c1a", "{6f1c1c6e-6c1a-4c59-9d1e-0a0b0c0d0e0f");

    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = TestInfrastructure.migratedDatabase("casts");
        db.execute("""
                create table corpus (value text);
                create function reference_cast(value text, type_name text) returns text language plpgsql as $$
                declare result text;
                begin
                    if type_name in ('integer', 'bigint') then
                        execute format('select (case when %L::numeric = trunc(%L::numeric) then %L::numeric::%s end)::text',
                                       value, value, value, type_name) into result;
                    else
                        execute format('select (%L::%s)::text', value, type_name) into result;
                    end if;
                    return result;
                exception when others then return null; -- NaN to bigint raises 0A000, not a data exception
                end $$;
                """);
        db.execute("insert into corpus values " + String.join(", ",
                INPUTS.stream().map(v -> "('" + v.replace("'", "''") + "')").toList()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"numeric:numeric", "double:double precision", "bigint:bigint", "integer:integer",
            "boolean:boolean", "date:date", "timestamptz:timestamp with time zone", "uuid:uuid"})
    void neverRaisesAndAgreesWithTheRealCastWheneverItAccepts(String spec) {
        String suffix = spec.substring(0, spec.indexOf(':'));
        String type = spec.substring(spec.indexOf(':') + 1);
        List<Map<String, Object>> rows = db.query("select value, ingest.try_" + suffix + "(value)::text as tried, "
                + "reference_cast(value, '" + type + "') as reference from corpus");
        assertThat(rows).hasSize(INPUTS.size());
        for (Map<String, Object> row : rows) {
            if (row.get("tried") != null) {
                assertThat(row.get("tried")).as(suffix + "(" + row.get("value") + ")").isEqualTo(row.get("reference"));
            }
        }
        assertThat(rows).as("accepts something").anySatisfy(r -> assertThat(r.get("tried")).isNotNull());
    }

    @ParameterizedTest
    @ValueSource(strings = {"numeric:42.5", "bigint:42", "bigint:42.0", "integer:-7", "double:6.02e23",
            "boolean:yes", "date:2024-02-29", "timestamptz:2026-11-20T10:15:30Z", "uuid:{6F1C1C6E-6C1A-4C59-9D1E-0A0B0C0D0E0F}"})
    void acceptsTheDocumentedForms(String spec) {
        String suffix = spec.substring(0, spec.indexOf(':'));
        String value = spec.substring(spec.indexOf(':') + 1);
        assertThat(db.query("select ingest.try_" + suffix + "('" + value + "') as v").getFirst().get("v")).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"timestamptz:yesterday", "timestamptz:now", "timestamptz:2026-02-31T00:00:00Z",
            "date:2026-02-29", "numeric:n/a", "bigint:9223372036854775808", "integer:42.5", "double:1e400", "boolean:maybe"})
    void rejectsWhatIsNotAValueOfTheType(String spec) {
        String suffix = spec.substring(0, spec.indexOf(':'));
        String value = spec.substring(spec.indexOf(':') + 1);
        assertThat(db.query("select ingest.try_" + suffix + "('" + value + "') as v").getFirst().get("v")).isNull();
    }
}
