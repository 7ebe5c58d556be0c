{{/*
Names and labels shared by the templates.
*/}}

{{/* The chart's name (nameOverride wins). */}}
{{- define "slipway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: the release name when it already holds the chart's name. */}}
{{- define "slipway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "slipway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "slipway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: slipway
{{- end }}

{{/* Labels that select the controller's pods. */}}
{{- define "slipway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "slipway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{/* The ServiceAccount the controller runs as. */}}
{{- define "slipway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "slipway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Slipway's image reference; also what staging Jobs run `slipway unpack` with. */}}
{{- define "slipway.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Secret holding the admin password. */}}
{{- define "slipway.adminSecretName" -}}
{{- default (printf "%s-admin" (include "slipway.fullname" .)) .Values.admin.existingSecret }}
{{- end }}

{{/* Secret holding the metrics token, when there is one (empty otherwise). */}}
{{- define "slipway.metricsSecretName" -}}
{{- if .Values.metrics.existingSecret }}{{ .Values.metrics.existingSecret }}{{- else if .Values.metrics.token }}{{ printf "%s-metrics" (include "slipway.fullname" .) }}{{- end }}
{{- end }}

{{/* Key of the metrics token in that Secret. */}}
{{- define "slipway.metricsSecretKey" -}}
{{- ternary .Values.metrics.existingSecretKey "token" (ne .Values.metrics.existingSecret "") }}
{{- end }}

{{/* Secret holding webhook secrets and the GitHub token. */}}
{{- define "slipway.webhookSecretName" -}}
{{- default (printf "%s-webhooks" (include "slipway.fullname" .)) .Values.webhooks.existingSecret }}
{{- end }}

{{/* True (non-empty) when the chart creates the webhook Secret: some secret or a token is set. */}}
{{- define "slipway.webhookSecretCreated" -}}
{{- if and (not .Values.webhooks.existingSecret) (or .Values.webhooks.github .Values.webhooks.gitlab .Values.webhooks.gitea .Values.webhooks.generic .Values.github.token) }}true{{- end }}
{{- end }}

{{/* The API Ingress's URL, or the explicit publicUrl. */}}
{{- define "slipway.publicUrl" -}}
{{- if .Values.publicUrl }}
{{- .Values.publicUrl }}
{{- else if .Values.ingress.enabled }}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host }}
{{- end }}
{{- end }}

{{/* Labels of a battery's objects; the argument is (list $ "registry"). */}}
{{- define "slipway.batteryLabels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "slipway.batterySelectorLabels" . }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
app.kubernetes.io/part-of: slipway
{{- end }}

{{/* Labels that select a battery's pods; the argument is (list $ "registry"). */}}
{{- define "slipway.batterySelectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "slipway.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* Non-empty when the chart runs its own registry: no external `registry.host`. */}}
{{- define "slipway.registryBattery" -}}
{{- if not .Values.registry.host }}true{{- end }}
{{- end }}

{{/* Non-empty when the chart runs its own S3 server: no external `s3.endpoint`. */}}
{{- define "slipway.s3Battery" -}}
{{- if not .Values.s3.endpoint }}true{{- end }}
{{- end }}

{{/* Name of the registry battery's Deployment, Services and claim. */}}
{{- define "slipway.registryName" -}}
{{- printf "%s-registry" (include "slipway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the S3 battery's Deployment, Service and claim. */}}
{{- define "slipway.s3Name" -}}
{{- printf "%s-s3" (include "slipway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Where builds push (SLIPWAY_REGISTRY): the external host, or the battery's ClusterIP Service. */}}
{{- define "slipway.registryPush" -}}
{{- if .Values.registry.host }}
{{- .Values.registry.host }}
{{- else }}
{{- printf "%s.%s.svc.cluster.local:5000" (include "slipway.registryName" .) .Release.Namespace }}
{{- end }}
{{- end }}

{{/* Where nodes pull (SLIPWAY_REGISTRY_PULL): pullHost, or the battery's NodePort on loopback; empty: same as push. */}}
{{- define "slipway.registryPull" -}}
{{- if .Values.registry.pullHost }}
{{- .Values.registry.pullHost }}
{{- else if include "slipway.registryBattery" . }}
{{- printf "127.0.0.1:%d" (int .Values.registry.battery.nodePort) }}
{{- end }}
{{- end }}

{{/* "true" or "false" (SLIPWAY_REGISTRY_INSECURE): the battery is plain HTTP unless it has a certificate. */}}
{{- define "slipway.registryInsecure" -}}
{{- if include "slipway.registryBattery" . }}
{{- ternary "false" "true" (ne .Values.registry.battery.tls.issuer "") }}
{{- else }}
{{- .Values.registry.insecure | toString }}
{{- end }}
{{- end }}

{{/* Endpoint of S3 (SLIPWAY_S3_ENDPOINT): the external one, or the battery's Service. */}}
{{- define "slipway.s3Endpoint" -}}
{{- if .Values.s3.endpoint }}
{{- .Values.s3.endpoint }}
{{- else }}
{{- printf "http://%s.%s.svc.cluster.local:7070" (include "slipway.s3Name" .) .Release.Namespace }}
{{- end }}
{{- end }}

{{/* The ClusterIssuer apps get certificates from (SLIPWAY_TLS_ISSUER): tls.issuer, or the one the chart creates. */}}
{{- define "slipway.tlsIssuer" -}}
{{- if .Values.tls.issuer }}
{{- .Values.tls.issuer }}
{{- else if ne .Values.tls.createIssuer "none" }}
{{- printf "%s-%s" (include "slipway.fullname" .) .Values.tls.createIssuer | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Secret with the registry battery's user name, password and htpasswd file. */}}
{{- define "slipway.registryAuthSecretName" -}}
{{- printf "%s-registry-auth" (include "slipway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The registry battery's credentials as a dict {username, password, htpasswd}: the values,
else what the auth Secret already holds (lookup, so upgrades keep them and the bcrypt
salt does not change), else generated.
*/}}
{{- define "slipway.registryCredentials" -}}
{{- $username := default "slipway" .Values.registry.username }}
{{- $password := .Values.registry.password }}
{{- $htpasswd := "" }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "slipway.registryAuthSecretName" .) }}
{{- if and $existing $existing.data }}
{{- $oldUser := index $existing.data "username" | default "" | b64dec }}
{{- $oldPassword := index $existing.data "password" | default "" | b64dec }}
{{- if and (eq $oldUser $username) $oldPassword (or (not $password) (eq $password $oldPassword)) }}
{{- $password = $oldPassword }}
{{- $htpasswd = index $existing.data "htpasswd" | default "" | b64dec | trim }}
{{- end }}
{{- end }}
{{- if not $password }}
{{- $password = randAlphaNum 32 }}
{{- end }}
{{- if not $htpasswd }}
{{- $htpasswd = htpasswd $username $password }}
{{- end }}
{{- dict "username" $username "password" $password "htpasswd" $htpasswd | toJson }}
{{- end }}

{{/* A map as `key=value,key=value` (keys sorted), the form SLIPWAY_STAGE_NODE_SELECTOR takes. */}}
{{- define "slipway.keyValues" -}}
{{- $pairs := list }}
{{- range $key, $value := . }}
{{- $pairs = append $pairs (printf "%s=%s" $key $value) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}
