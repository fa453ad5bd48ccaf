{{/*
The worker's application.yml: everything the chart's values set, over the defaults built into the jar. Secrets are
only referenced (${INGEST_DB_PASSWORD}, ${KAFKA_SASL_JAAS_CONFIG}) and come from environment variables fed by
existing Secrets.
*/}}
{{- define "upsert-ingest.worker.config" -}}
{{- $w := .Values.worker -}}
spring:
  datasource:
    url: {{ .Values.database.url | quote }}
    username: ${INGEST_DB_USERNAME}
    password: ${INGEST_DB_PASSWORD}
    hikari:
      maximum-pool-size: {{ $w.hikari.maximumPoolSize | int }}
      connection-timeout: {{ $w.hikari.connectionTimeoutMs | int }}
  flyway:
    {{- /* The migration hook Job migrates before the worker starts; a run here would not see the Job's locations. */}}
    enabled: {{ not .Values.migrations.enabled }}
    {{- if not .Values.migrations.enabled }}
    locations: {{ ternary "classpath:db/migration,classpath:db/example" "classpath:db/migration" .Values.migrations.example }}
    {{- end }}
  {{- include "upsert-ingest.kafkaConfig" . | nindent 2 }}
  lifecycle:
    timeout-per-shutdown-phase: {{ printf "%ds" (int $w.gracefulShutdownSeconds) }}
ingest:
  consumer:
    group-id: {{ $w.consumer.groupId | quote }}
    concurrency: {{ $w.consumer.concurrency | int }}
    writers: {{ $w.consumer.writers | int }}
    max-poll-records: {{ $w.consumer.maxPollRecords | int }}
    fetch-min-size: {{ $w.consumer.fetchMinSize }}
    fetch-max-wait: {{ $w.consumer.fetchMaxWait }}
    max-partition-fetch-size: {{ $w.consumer.maxPartitionFetchSize }}
    fetch-max-size: {{ $w.consumer.fetchMaxSize }}
    shutdown-timeout: {{ $w.consumer.shutdownTimeout }}
    lag-interval: {{ $w.consumer.lagInterval }}
  errors:
    retry-initial-interval: {{ $w.errors.retryInitialInterval }}
    retry-max-interval: {{ $w.errors.retryMaxInterval }}
    dead-letter-timeout: {{ $w.errors.deadLetterTimeout }}
    stuck-after: {{ $w.errors.stuckAfter }}
  write:
    method: {{ $w.write.method }}
    synchronous-commit: {{ $w.write.synchronousCommit | quote }}
    logged-synchronous-commit: {{ $w.write.loggedSynchronousCommit | quote }}
    statement-timeout: {{ $w.write.statementTimeout }}
  topics:
    create-missing: {{ $w.topics.createMissing }}
    partitions: {{ $w.topics.partitions | int }}
    replication-factor: {{ $w.topics.replicationFactor | int }}
    cleanup-policy: {{ $w.topics.cleanupPolicy | quote }}
    dead-letter-partitions: {{ $w.topics.deadLetterPartitions | int }}
    dead-letter-retention: {{ $w.topics.deadLetterRetention }}
    admin-timeout: {{ $w.topics.adminTimeout }}
  refresh:
    enabled: {{ $w.refresh.enabled }}
    tick: {{ $w.refresh.tick }}
    max-concurrent: {{ $w.refresh.maxConcurrent | int }}
    catalog-refresh: {{ $w.refresh.catalogRefresh }}
    statement-timeout: {{ $w.refresh.statementTimeout }}
    work-mem: {{ $w.refresh.workMem }}
    history-retention: {{ $w.refresh.historyRetention }}
    {{- with $w.refresh.intervals }}
    intervals:
      {{- range $view, $interval := . }}
      {{- /* Brackets keep the key verbatim, whatever characters the view name has (Spring map-key binding). */}}
      {{ printf "[%s]" $view | quote }}: {{ $interval }}
      {{- end }}
    {{- end }}
  recovery:
    check-interval: {{ $w.recovery.checkInterval }}
    admin-timeout: {{ $w.recovery.adminTimeout }}
  events:
    max-document-size: {{ .Values.events.maxDocumentSize }}
    max-key-size: {{ .Values.events.maxKeySize }}
{{- with $w.resilience4j }}
resilience4j:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{ include "upsert-ingest.tracingConfig" . }}
{{- include "upsert-ingest.loggingConfig" . }}
{{- end -}}
