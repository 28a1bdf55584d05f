{{- $host := envOr "ATLAS_PUBLIC_DOMAIN" (ternary (eq .Env "production") "api.atlas.example.com" (printf "%s.atlas.example.com" .Namespace)) -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: atlas
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
  annotations:
    nginx.ingress.kubernetes.io/limit-rps: '{{ envOr "ATLAS_RATE_LIMIT_RPS" "50" }}'
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - {{ $host }}
      secretName: atlas-tls
  rules:
    - host: {{ $host }}
      http:
        paths:
          - path: /v1
            pathType: Prefix
            backend:
              service:
                name: geo-api
                port:
                  name: http
