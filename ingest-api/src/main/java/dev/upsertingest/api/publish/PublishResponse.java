package dev.upsertingest.api.publish;

import java.util.List;

/**
 * The answer to a publish request (202).
 *
 * @param accepted   events published and acknowledged by the broker
 * @param rejected   events refused by the event rules
 * @param rejections each refused event: its position in the request (0-based), reason code and detail
 */
public record PublishResponse(int accepted, int rejected, List<Rejection> rejections) {

    public record Rejection(int index, String reason, String detail) {
    }
}
