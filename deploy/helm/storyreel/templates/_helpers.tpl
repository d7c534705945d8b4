{{/* The chart's name, overridable. */}}
{{- define "storyreel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: the prefix of every object. */}}
{{- define "storyreel.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "storyreel.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "storyreel.labels" -}}
helm.sh/chart: {{ include "storyreel.chart" . }}
{{ include "storyreel.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels that select the release's pods (a component label narrows to one role). */}}
{{- define "storyreel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "storyreel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "storyreel.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "storyreel.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "storyreel.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "storyreel.secretName" -}}
{{- default (printf "%s-secret" (include "storyreel.fullname" .)) .Values.existingSecret -}}
{{- end -}}

{{- define "storyreel.configName" -}}
{{- printf "%s-config" (include "storyreel.fullname" .) -}}
{{- end -}}

{{/*
The environment of every storyreel container: the ConfigMap (envFrom) plus each secret key by
reference. Connection URLs and signing secrets are required (a missing key stops the pod at
creation, loudly); the S3 keys are optional (boto3's credential chain otherwise).
*/}}
{{- define "storyreel.env" -}}
{{- $secret := include "storyreel.secretName" . -}}
{{- range $key := list "STORYREEL_DATABASE_URL" "STORYREEL_BROKER_URL" "STORYREEL_EVENTS_URL" "STORYREEL_RATE_LIMIT_URL" "STORYREEL_JWT_SECRET" "STORYREEL_WEBHOOK_SECRET" "STORYREEL_PROVIDER_KEYS_SECRET" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
{{- end }}
{{- range $key := list "STORYREEL_S3__ACCESS_KEY_ID" "STORYREEL_S3__SECRET_ACCESS_KEY" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
      optional: true
{{- end }}
- name: STORYREEL_DATA_DIR
  value: /data
- name: XDG_CACHE_HOME
  value: /tmp/.cache
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "storyreel.envFrom" -}}
- configMapRef:
    name: {{ include "storyreel.configName" . }}
{{- end -}}

{{/* A checksum of the settings, so pods roll when they change. */}}
{{- define "storyreel.configChecksum" -}}
{{- printf "%s%s" (toJson .Values.config) (toJson .Values.secretEnv) | sha256sum -}}
{{- end -}}
