{{/*
The API's application.yml. API keys are never in it: each client's key is a ${INGEST_API_CLIENT_<n>_KEY} reference
to an environment variable fed by api.security.existingSecret (or the key's SHA-256, which is not a secret).
*/}}
{{- define "upsert-ingest.api.config" -}}
{{- $a := .Values.api -}}
spring:
  datasource:
    url: {{ $a.database.url | default .Values.database.url | quote }}
    username: ${INGEST_DB_USERNAME}
    password: ${INGEST_DB_PASSWORD}
    hikari:
      maximum-pool-size: {{ $a.hikari.maximumPoolSize | int }}
      connection-timeout: {{ $a.hikari.connectionTimeoutMs | int }}
  {{- include "upsert-ingest.kafkaConfig" . | nindent 2 }}
  lifecycle:
    timeout-per-shutdown-phase: {{ printf "%ds" (int $a.gracefulShutdownSeconds) }}
ingest:
  events:
    max-document-size: {{ .Values.events.maxDocumentSize }}
    max-key-size: {{ .Values.events.maxKeySize }}
  api:
    publish:
      max-request-size: {{ $a.publish.maxRequestSize }}
      max-events: {{ $a.publish.maxEvents | int }}
      ack-timeout: {{ $a.publish.ackTimeout }}
      max-concurrent: {{ $a.publish.maxConcurrent | int }}
      catalog-refresh: {{ $a.publish.catalogRefresh }}
    query:
      role: {{ $a.query.role | quote }}
      statement-timeout: {{ $a.query.statementTimeout }}
      default-page-size: {{ $a.query.defaultPageSize | int }}
      max-page-size: {{ $a.query.maxPageSize | int }}
      catalog-refresh: {{ $a.query.catalogRefresh }}
    admin:
      # The admin endpoints report the worker group's lag and rebuild progress: the worker's own group.
      worker-group-id: {{ .Values.worker.consumer.groupId | quote }}
    security:
      requests-per-second: {{ $a.security.requestsPerSecond | int }}
      {{- if $a.security.clients }}
      clients:
        {{- range $index, $client := $a.security.clients }}
        - name: {{ $client.name | quote }}
          {{- if $client.secretKey }}
          key: {{ printf "${INGEST_API_CLIENT_%d_KEY}" $index }}
          {{- else }}
          key-sha256: {{ $client.keySha256 | quote }}
          {{- end }}
          permissions: {{ $client.permissions | toJson }}
          streams: {{ $client.streams | default list | toJson }}
          requests-per-second: {{ $client.requestsPerSecond | default 0 | int }}
        {{- end }}
      {{- else }}
      clients: []
      {{- end }}
springdoc:
  api-docs:
    enabled: {{ $a.openApi }}
  swagger-ui:
    enabled: {{ $a.openApi }}
{{- with $a.resilience4j }}
resilience4j:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{ include "upsert-ingest.tracingConfig" . }}
{{- include "upsert-ingest.loggingConfig" . }}
{{- end -}}
