{{- $host := envOr "FLEET_PUBLIC_DOMAIN" (ternary (eq .Env "production") "api.fleet.example.com" (printf "%s.fleet.example.com" .Namespace)) -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: fleet-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - {{ $host }}
      secretName: fleet-api-tls
  rules:
    - host: {{ $host }}
      http:
        paths:
          - path: /v1/vehicles
            pathType: Prefix
            backend:
              service:
                name: tracking-api
                port:
                  name: http
          - path: /v1/routes
            pathType: Prefix
            backend:
              service:
                name: routing-api
                port:
                  name: http
