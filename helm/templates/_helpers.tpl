{{/* Names, labels and the pieces the Deployments, the Job and the ConfigMaps share. */}}

{{- define "upsert-ingest.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped prefix of every resource; leaves room for the longest suffix ("-migrations-sql"). */}}
{{- define "upsert-ingest.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "upsert-ingest.workerName" -}}{{ include "upsert-ingest.fullname" . }}-worker{{- end -}}
{{- define "upsert-ingest.apiName" -}}{{ include "upsert-ingest.fullname" . }}-api{{- end -}}
{{- define "upsert-ingest.migrationsName" -}}{{ include "upsert-ingest.fullname" . }}-migrations{{- end -}}

{{- define "upsert-ingest.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "upsert-ingest.selectorLabels" -}}
app.kubernetes.io/name: {{ include "upsert-ingest.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "upsert-ingest.labels" -}}
helm.sh/chart: {{ include "upsert-ingest.chart" . }}
{{ include "upsert-ingest.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: upsert-ingest
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "worker") */}}
{{- define "upsert-ingest.componentSelectorLabels" -}}
{{ include "upsert-ingest.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "upsert-ingest.componentLabels" -}}
{{ include "upsert-ingest.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "upsert-ingest.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "upsert-ingest.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Full image reference: (dict "root" $ "image" .Values.worker.image) */}}
{{- define "upsert-ingest.image" -}}
{{- $root := .root -}}
{{- $tag := .image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- $repository := .image.repository -}}
{{- if $root.Values.image.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" $root.Values.image.registry) $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository (toString $tag) -}}
{{- end -}}

{{- define "upsert-ingest.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
Database login of a component, as environment variables read from an existing Secret. The rendered application.yml
refers to them as ${INGEST_DB_USERNAME} and ${INGEST_DB_PASSWORD}; nothing secret is in a ConfigMap.
(dict "root" $ "credentials" .Values.worker.database)
*/}}
{{- define "upsert-ingest.databaseEnv" -}}
{{- $db := .root.Values.database -}}
- name: INGEST_DB_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .credentials.existingSecret | default $db.existingSecret }}
      key: {{ .credentials.usernameKey | default $db.usernameKey }}
- name: INGEST_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .credentials.existingSecret | default $db.existingSecret }}
      key: {{ .credentials.passwordKey | default $db.passwordKey }}
{{- end -}}

{{/* Environment both Spring Boot apps share: config location, JVM options, secrets referenced from the config. */}}
{{- define "upsert-ingest.springEnv" -}}
- name: SPRING_CONFIG_ADDITIONAL_LOCATION
  value: file:/etc/upsert-ingest/
- name: JAVA_TOOL_OPTIONS
  value: {{ printf "%s -Djava.io.tmpdir=/tmp" .jvmOptions | trim | quote }}
{{ include "upsert-ingest.databaseEnv" (dict "root" .root "credentials" .credentials) }}
{{- with .root.Values.kafka.saslJaasConfigSecret }}
{{- if .name }}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Connection and shared settings of both apps' application.yml (indented under `spring:`). */}}
{{- define "upsert-ingest.kafkaConfig" -}}
kafka:
  bootstrap-servers: {{ .Values.kafka.bootstrapServers | quote }}
  {{- if or .Values.kafka.properties .Values.kafka.saslJaasConfigSecret.name }}
  properties:
    {{- range $key, $value := .Values.kafka.properties }}
    {{ printf "[%s]" $key | quote }}: {{ $value | toString | quote }}
    {{- end }}
    {{- if .Values.kafka.saslJaasConfigSecret.name }}
    "[sasl.jaas.config]": ${KAFKA_SASL_JAAS_CONFIG}
    {{- end }}
  {{- end }}
{{- end -}}

{{/* Tracing of both apps' application.yml (management.tracing.*): off unless tracing.enabled. */}}
{{- define "upsert-ingest.tracingConfig" -}}
management:
  tracing:
    export:
      enabled: {{ .Values.tracing.enabled }}
    {{- if .Values.tracing.enabled }}
    sampling:
      probability: {{ .Values.tracing.samplingProbability }}
    {{- end }}
  {{- if and .Values.tracing.enabled .Values.tracing.otlpEndpoint }}
  opentelemetry:
    tracing:
      export:
        otlp:
          endpoint: {{ .Values.tracing.otlpEndpoint | quote }}
  {{- end }}
{{- end -}}

{{- define "upsert-ingest.loggingConfig" -}}
{{- if or .Values.logging.levels .Values.logging.structuredFormat }}
logging:
  {{- with .Values.logging.structuredFormat }}
  structured:
    format:
      console: {{ . }}
  {{- end }}
  {{- with .Values.logging.levels }}
  level:
    {{- range $logger, $level := . }}
    {{ printf "[%s]" $logger | quote }}: {{ $level }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
Renders an application.yml: the chart's settings (a template producing YAML), with the operator's extraConfig
deep-merged over them. (dict "root" $ "template" "upsert-ingest.worker.config" "extra" .Values.worker.extraConfig)
*/}}
{{- define "upsert-ingest.applicationYaml" -}}
{{- $rendered := include .template .root | fromYaml -}}
{{- if hasKey $rendered "Error" -}}
{{- fail (printf "%s does not render valid YAML: %s" .template (get $rendered "Error")) -}}
{{- end -}}
{{- $merged := mustMergeOverwrite $rendered (deepCopy .extra) -}}
{{- toYaml $merged -}}
{{- end -}}

{{/* Probes on the Actuator health groups: (dict "probes" .Values.worker.probes) */}}
{{- define "upsert-ingest.probes" -}}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .probes.startup.periodSeconds }}
  timeoutSeconds: {{ .probes.startup.timeoutSeconds }}
  failureThreshold: {{ .probes.startup.failureThreshold }}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: http
  periodSeconds: {{ .probes.liveness.periodSeconds }}
  timeoutSeconds: {{ .probes.liveness.timeoutSeconds }}
  failureThreshold: {{ .probes.liveness.failureThreshold }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: http
  periodSeconds: {{ .probes.readiness.periodSeconds }}
  timeoutSeconds: {{ .probes.readiness.timeoutSeconds }}
  failureThreshold: {{ .probes.readiness.failureThreshold }}
{{- end -}}

{{/* Pod placement settings: a component's values (.Values.worker or .Values.api). */}}
{{- define "upsert-ingest.podPlacement" -}}
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The writable scratch space of a read-only container. */}}
{{- define "upsert-ingest.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end -}}

{{/* PromQL selector of the worker's series in the alerts. */}}
{{- define "upsert-ingest.workerSelector" -}}
{{- .Values.metrics.prometheusRule.workerSelector | default (printf "namespace=%q,job=%q" .Release.Namespace (include "upsert-ingest.workerName" .)) -}}
{{- end -}}

{{/* The partition count the worker's autoscaling is bounded by. */}}
{{- define "upsert-ingest.workerPartitions" -}}
{{- .Values.worker.autoscaling.partitions | default .Values.worker.topics.partitions | int -}}
{{- end -}}

{{/*
Checks the schema cannot express (relations between values). Rendered by validate.yaml, so `helm template`,
`helm install` and `helm lint` all refuse such values with a message that says what to change.
*/}}
{{- define "upsert-ingest.validate" -}}
{{- $w := .Values.worker -}}
{{- $a := .Values.api -}}
{{- $writers := min (int $w.consumer.writers) (int $w.consumer.concurrency) | int -}}
{{- if and $w.enabled (lt (int $w.hikari.maximumPoolSize) (add $writers (int $w.refresh.maxConcurrent) 1 | int)) -}}
{{- fail (printf "worker.hikari.maximumPoolSize (%d) must be at least worker.consumer.writers (at most worker.consumer.concurrency) + worker.refresh.maxConcurrent + 1 (%d): one connection per writer slot, one per view refresh running at once, one spare" (int $w.hikari.maximumPoolSize) (add $writers (int $w.refresh.maxConcurrent) 1)) -}}
{{- end -}}
{{- if and $w.enabled (le (int $w.terminationGracePeriodSeconds) (int $w.gracefulShutdownSeconds)) -}}
{{- fail (printf "worker.terminationGracePeriodSeconds (%d) must exceed worker.gracefulShutdownSeconds (%d), or Kubernetes kills the worker while it commits its last batch" (int $w.terminationGracePeriodSeconds) (int $w.gracefulShutdownSeconds)) -}}
{{- end -}}
{{- if and $a.enabled (le (int $a.terminationGracePeriodSeconds) (add (int $a.gracefulShutdownSeconds) (int $a.preStopSleepSeconds) | int)) -}}
{{- fail (printf "api.terminationGracePeriodSeconds (%d) must exceed api.preStopSleepSeconds + api.gracefulShutdownSeconds (%d)" (int $a.terminationGracePeriodSeconds) (add (int $a.gracefulShutdownSeconds) (int $a.preStopSleepSeconds))) -}}
{{- end -}}
{{- if and $w.enabled $w.autoscaling.enabled -}}
{{- $partitions := include "upsert-ingest.workerPartitions" . | int -}}
{{- if gt (int $w.autoscaling.maxReplicas) $partitions -}}
{{- fail (printf "worker.autoscaling.maxReplicas (%d) must not exceed the partition count (%d, worker.autoscaling.partitions or worker.topics.partitions): consumers beyond it get no partition and sit idle" (int $w.autoscaling.maxReplicas) $partitions) -}}
{{- end -}}
{{- if gt (int $w.autoscaling.minReplicas) (int $w.autoscaling.maxReplicas) -}}
{{- fail "worker.autoscaling.minReplicas must not exceed worker.autoscaling.maxReplicas" -}}
{{- end -}}
{{- end -}}
{{- if and $a.enabled $a.autoscaling.enabled (gt (int $a.autoscaling.minReplicas) (int $a.autoscaling.maxReplicas)) -}}
{{- fail "api.autoscaling.minReplicas must not exceed api.autoscaling.maxReplicas" -}}
{{- end -}}
{{- if gt (int $a.query.defaultPageSize) (int $a.query.maxPageSize) -}}
{{- fail (printf "api.query.defaultPageSize (%d) must not exceed api.query.maxPageSize (%d)" (int $a.query.defaultPageSize) (int $a.query.maxPageSize)) -}}
{{- end -}}
{{- $names := dict -}}
{{- range $client := $a.security.clients -}}
{{- if hasKey $names $client.name -}}
{{- fail (printf "api.security.clients: the name %s is used twice" $client.name) -}}
{{- end -}}
{{- $_ := set $names $client.name true -}}
{{- if and $client.secretKey (not $a.security.existingSecret) -}}
{{- fail (printf "api.security.clients[%s].secretKey needs api.security.existingSecret: the Secret that holds the keys" $client.name) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.migrations.streamDurability (not .Values.migrations.enabled) -}}
{{- fail "migrations.streamDurability is applied by the migration Job: it needs migrations.enabled" -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.apiKeySecret.name (not .Values.metrics.serviceMonitor.apiKeySecret.key) -}}
{{- fail "metrics.serviceMonitor.apiKeySecret.key is required with apiKeySecret.name" -}}
{{- end -}}
{{- end -}}
