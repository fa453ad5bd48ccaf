package dev.upsertingest.fuzz;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HostileBodiesTest {

    private static final FuzzLimits LIMITS = FuzzLimits.standard();
    private static final FuzzStreams STREAMS = FuzzStreams.standard("fz", "t");

    @Test
    void theSameSeedAndIndexMakeTheSameRequest() {
        HostileBodies one = new HostileBodies(8, STREAMS, LIMITS);
        HostileBodies again = new HostileBodies(8, STREAMS, LIMITS);
        for (long index = 400; index >= 0; index -= 3) {
            HostileRequest request = one.request(index);
            HostileRequest replayed = again.request(index);
            assertThat(replayed.body()).isEqualTo(request.body());
            assertThat(replayed.contentType()).isEqualTo(request.contentType());
            assertThat(replayed.expectedStatus()).isEqualTo(request.expectedStatus());
        }
    }

    @Test
    void theFirstRequestsCarryEveryMutationOfEveryStream() {
        HostileBodies bodies = new HostileBodies(8, STREAMS, LIMITS);
        Set<String> carried = new HashSet<>();
        for (int i = 0; i < bodies.coverageSize(); i++) {
            HostileRequest request = bodies.request(i);
            assertThat(request.body().length).as(request.describe()).isLessThanOrEqualTo(LIMITS.maxRequestSize());
            if (request.elements() != null) {
                request.elements().forEach(e -> carried.add(request.stream().name() + "/" + e.event().mutation()));
            }
        }
        for (FuzzStream stream : STREAMS.streams()) {
            bodies.events().applicable(stream).stream().filter(m -> m.family() != Mutation.Family.STRUCTURAL)
                    .forEach(m -> assertThat(carried).contains(stream.name() + "/" + m));
        }
    }

    /**
     * Where a request's events are known, the body holds each one's published bytes, in order, and nothing the limits
     * refuse; requests meant to hit a limit are exactly at it or over it.
     */
    @Test
    void eachRequestIsWhatItSaysItIs() {
        HostileBodies bodies = new HostileBodies(21, STREAMS, LIMITS);
        Set<Integer> statuses = new HashSet<>();
        for (long index = 0; index < 3000; index++) {
            HostileRequest request = bodies.request(index);
            statuses.add(request.expectedStatus());
            if (request.elements() != null) {
                assertThat(request.expectedStatus()).isEqualTo(202);
                assertThat(request.elements()).hasSizeBetween(1, LIMITS.maxEvents());
                assertThat(request.body().length).as(request.describe()).isLessThanOrEqualTo(LIMITS.maxRequestSize());
                int from = 0;
                for (HostileRequest.Element element : request.elements()) {
                    int at = indexOf(request.body(), element.published(), from);
                    assertThat(at).as("%s holds its elements in order", request.describe()).isGreaterThanOrEqualTo(0);
                    from = at + element.published().length;
                }
            }
            if (request.kind().startsWith("exactly max-request-size")) {
                assertThat(request.body()).hasSize(LIMITS.maxRequestSize());
            } else if (request.kind().contains("over max-request-size")) {
                assertThat(request.body().length).isGreaterThan(LIMITS.maxRequestSize());
                assertThat(request.expectedStatus()).isEqualTo(413);
            } else if (request.kind().startsWith("one event over max-events")) {
                assertThat(request.eventsTried()).isEqualTo(LIMITS.maxEvents() + 1);
                assertThat(request.expectedStatus()).isEqualTo(413);
            }
        }
        assertThat(statuses).containsExactlyInAnyOrder(0, 202, 400, 413, 415);
    }

    private static int indexOf(byte[] body, byte[] part, int from) {
        outer:
        for (int i = from; i <= body.length - part.length; i++) {
            for (int k = 0; k < part.length; k++) {
                if (body[i + k] != part[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return part.length == 0 && Arrays.equals(part, new byte[0]) ? from : -1;
    }
}
