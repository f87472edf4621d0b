package dev.pintp.ntp;

import java.util.Locale;

/**
 * Why a datagram, an answer or a source was not used. Three kinds, each its own type: a {@link DropReason} (a datagram
 * that was not an answer to our request: dropped, counted in {@link DropCounts}, the exchange keeps waiting), a
 * {@link RefusalReason} (an answer the protocol refuses) and a {@link CheckDecision} (a valid answer or a source the
 * check decided against: offset, falseticker, backoff). A source keeps every reason that applied
 * ({@link SourceReport#reasons()}).
 */
public sealed interface RejectReason permits DropReason, RefusalReason, CheckDecision {
    /** The constant's name, for example {@code ROOT_DISTANCE_TOO_LARGE}. */
    String name();

    /** The name in lower case with hyphens, as the probe prints it: {@code root-distance-too-large}. */
    default String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
