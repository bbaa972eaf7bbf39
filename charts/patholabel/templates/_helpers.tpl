{{/*
Names and labels shared by every object. Object names are
<fullname>-<component>; fullname is capped at 40 characters so the longest
suffix still fits the 63-character limit of names and label values.
*/}}

{{- define "patholabel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "patholabel.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The name of a component's objects. Call with (dict "root" $ "name" "auth"). */}}
{{- define "patholabel.componentName" -}}
{{- printf "%s-%s" (include "patholabel.fullname" .root) .name }}
{{- end }}

{{- define "patholabel.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of a component; never change them: Deployments can't. */}}
{{- define "patholabel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "patholabel.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "patholabel.labels" -}}
helm.sh/chart: {{ include "patholabel.chart" .root }}
{{ include "patholabel.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: patholabel
{{- end }}

{{/* Standard metadata of a component's object: name, namespace, labels. */}}
{{- define "patholabel.metadata" -}}
name: {{ include "patholabel.componentName" . }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "patholabel.labels" . | nindent 2 }}
{{- end }}

{{/*
An image reference. Call with (dict "root" $ "image" .Values.auth.image).
The global registry applies to every image so one mirror serves them all;
an image's own registry (skaffold sets it) wins.
*/}}
{{- define "patholabel.image" -}}
{{- $registry := .image.registry | default .root.Values.image.registry }}
{{- $ref := .image.repository }}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $ref }}{{ end }}
{{- if .image.digest }}
{{- printf "%s@%s" $ref .image.digest }}
{{- else }}
{{- printf "%s:%s" $ref (default .root.Chart.AppVersion .image.tag) }}
{{- end }}
{{- end }}

{{/* The backend services, in route-table order, then the viewer. */}}
{{- define "patholabel.components" -}}
{{- list "auth" "tiler" "annotation" "export" "web" | toJson }}
{{- end }}

{{/* The route table rendered from Go (services/platform/routes). */}}
{{- define "patholabel.routes" -}}
{{- .Files.Get "files/routes.yaml" }}
{{- end }}
