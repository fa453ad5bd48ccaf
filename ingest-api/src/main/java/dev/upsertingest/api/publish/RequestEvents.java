package dev.upsertingest.api.publish;

import dev.upsertingest.core.event.RejectReason;

import java.util.List;

/**
 * The events of one request body, in order: each either its JSON text (to be checked by the event rules) or already
 * refused because it could not even be separated from its neighbours as JSON.
 */
record RequestEvents(List<Item> items) {

    sealed interface Item {
        int index();
    }

    record Raw(int index, byte[] json) implements Item {
    }

    record Refused(int index, RejectReason reason, String detail) implements Item {
    }
}
