package dev.upsertingest.api.query;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Where a page ended, for keyset pagination: the sort column's value and the key of the last row, with the sort it
 * belongs to. Opaque to clients (base64url JSON); not signed, because a forged cursor only moves the starting point:
 * its values are parsed by column type and bound, like filter values.
 *
 * @param sort      the sort it was made for ({@code column}, {@code -column}, or empty for key order)
 * @param sortValue the last row's sort column value as text, or {@code null}
 * @param key       the last row's key values as text
 */
record Cursor(String sort, String sortValue, List<String> key) {

    private static final JsonMapper JSON = JsonMapper.shared();

    String encode() {
        ObjectNode node = JSON.createObjectNode();
        node.put("s", sort);
        if (sortValue == null) {
            node.putNull("v");
        } else {
            node.put("v", sortValue);
        }
        ArrayNode keys = node.putArray("k");
        key.forEach(keys::add);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(node));
    }

    static Cursor decode(String text) {
        try {
            JsonNode node = JSON.readTree(Base64.getUrlDecoder().decode(text));
            List<String> key = new ArrayList<>();
            node.get("k").forEach(k -> key.add(k.asString()));
            JsonNode value = node.get("v");
            return new Cursor(node.get("s").asString(), value == null || value.isNull() ? null : value.asString(), key);
        } catch (IllegalArgumentException | JacksonException | NullPointerException e) {
            throw new BadQueryException("the cursor is not one this API issued");
        }
    }
}
