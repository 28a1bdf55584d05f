{{- $domain := envOr "KANBAN_PUBLIC_DOMAIN" (printf "%s.example.com" .Namespace) -}}
{{- $devServer := eq .Env "ai" -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kanban
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: kanban
    app.kubernetes.io/part-of: {{ .Project }}
{{- if ne .Env "ai" }}
  annotations:
    cert-manager.io/cluster-issuer: {{ envOr "KANBAN_CLUSTER_ISSUER" "letsencrypt" }}
{{- end }}
spec:
  ingressClassName: {{ envOr "KANBAN_INGRESS_CLASS" "nginx" }}
  tls:
    - hosts:
        - {{ $domain }}
      secretName: kanban-tls
  rules:
    - host: {{ $domain }}
      http:
        paths:
          - path: /api
            pathType: Prefix
            backend:
              service:
                name: kanban-api
                port:
                  name: http
          - path: /
            pathType: Prefix
            backend:
              service:
{{- if $devServer }}
                name: kanban-web
                port:
                  number: 5173
{{- else }}
                name: kanban-api
                port:
                  number: 80
{{- end }}
