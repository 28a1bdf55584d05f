apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: routing-graph-cache
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: routing-api
    app.kubernetes.io/component: graph-cache
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: {{ envOr "FLEET_ROUTING_GRAPH_CACHE_SIZE" (ternary (eq .Env "production") "30Gi" "5Gi") }}
