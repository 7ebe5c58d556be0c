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
