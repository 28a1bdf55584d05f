apiVersion: v1
kind: Namespace
metadata:
  name: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
    app.kubernetes.io/environment: {{ .Env }}
{{- if eq .Env "ai" }}
    bazaar.example.com/slot: "{{ .Slot }}"
{{- end }}
