/**
 * Spring wiring only: the beans of every other package, the worker-wide settings
 * ({@link dev.upsertingest.worker.config.InstanceSettings}), the effective-configuration log and the refusal of
 * renamed properties. No other worker package depends on it.
 */
package dev.upsertingest.worker.config;
