/** W3C trace context from record headers to batch spans, when tracing is on; nothing otherwise. */
package dev.upsertingest.worker.tracing;
