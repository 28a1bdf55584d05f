apiVersion: v1
kind: Namespace
metadata:
  name: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
    app.kubernetes.io/environment: {{ .Env }}
