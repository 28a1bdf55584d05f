{{- $apiHost := envOr "PAYGATE_API_DOMAIN" (ternary (eq .Env "production") "api.paygate.example.com" (printf "api.%s.paygate.example.com" .Namespace)) -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: api-gateway
    app.kubernetes.io/part-of: {{ .Project }}
  annotations:
    cert-manager.io/cluster-issuer: {{ envOr "PAYGATE_CLUSTER_ISSUER" "letsencrypt" }}
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - {{ $apiHost }}
      secretName: paygate-api-tls
  rules:
    - host: {{ $apiHost }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: api-gateway
                port:
                  number: 80
{{- if eq .Env "production" }}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: backoffice
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: oauth2-proxy
    app.kubernetes.io/part-of: {{ .Project }}
  annotations:
    cert-manager.io/cluster-issuer: {{ envOr "PAYGATE_CLUSTER_ISSUER" "letsencrypt" }}
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - {{ envOr "PAYGATE_BACKOFFICE_DOMAIN" "backoffice.paygate.example.com" }}
      secretName: paygate-backoffice-tls
  rules:
    - host: {{ envOr "PAYGATE_BACKOFFICE_DOMAIN" "backoffice.paygate.example.com" }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: oauth2-proxy
                port:
                  number: 4180
{{- end }}
