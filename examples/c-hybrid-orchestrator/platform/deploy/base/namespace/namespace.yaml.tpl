apiVersion: v1
kind: Namespace
metadata:
  name: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
    app.kubernetes.io/environment: {{ .Env }}
    # PCI scope marker read by the cluster admission policies.
    paygate.io/pci-scope: '{{ ternary (eq .Env "production") "true" "false" }}'
