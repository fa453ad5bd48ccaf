/**
 * Keeping the views fresh: {@link dev.upsertingest.worker.refresh.RefreshScheduler} (when, one lane per view),
 * {@link dev.upsertingest.worker.refresh.ViewRefresher} (one refresh under the view's lock, full or incremental),
 * {@link dev.upsertingest.worker.refresh.RefreshStatements} and
 * {@link dev.upsertingest.worker.refresh.IncrementalStatements} (all of its SQL). Never touches the consumers.
 */
package dev.upsertingest.worker.refresh;
