package dev.upsertingest.fuzz;

import java.util.Set;

/**
 * The reason codes of the README's Events table: every rejection over HTTP and every dead letter must carry one of
 * them. ({@code database_rejected} is left out on purpose: the fuzz streams have no constraint of their own, so an
 * event the database refuses is one the rules let through by mistake.) {@code ReasonCodesTest} keeps this list and
 * the table the same.
 */
public final class ReasonCodes {

    public static final Set<String> DOCUMENTED = Set.of("document_too_large", "invalid_json", "invalid_unicode",
            "nul_character", "not_an_object", "missing_key", "wrong_key_type", "key_too_long", "missing_version",
            "invalid_version");

    private ReasonCodes() {
    }
}
