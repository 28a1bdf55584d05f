apiVersion: v1
kind: Namespace
metadata:
  name: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
    app.kubernetes.io/environment: {{ .Env }}
{{- if eq .Env "ai" }}
    kanban.example.com/slot: "{{ .Slot }}"
{{- end }}
