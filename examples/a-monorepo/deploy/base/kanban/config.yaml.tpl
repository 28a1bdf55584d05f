{{- $domain := envOr "KANBAN_PUBLIC_DOMAIN" (printf "%s.example.com" .Namespace) -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: kanban-config
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/component: config
    app.kubernetes.io/part-of: {{ .Project }}
data:
  KANBAN_ENV: '{{ .Env }}'
  KANBAN_PUBLIC_URL: 'https://{{ $domain }}'
  KANBAN_HTTP_ADDR: ":8080"
  KANBAN_DB_HOST: postgres
  KANBAN_DB_PORT: "5432"
  KANBAN_REDIS_ADDR: "redis:6379"
  KANBAN_LOG_LEVEL: '{{ ternary (eq .Env "production") "info" "debug" }}'
  KANBAN_SERVE_WEB_BUNDLE: '{{ ternary (eq .Env "ai") "false" "true" }}'
