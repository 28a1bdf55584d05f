{{- $domain := envOr "BAZAAR_PUBLIC_DOMAIN" (ternary (eq .Env "production") "bazaar.example.com" (printf "%s.bazaar.example.com" .Namespace)) -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bazaar
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
  annotations:
    cert-manager.io/cluster-issuer: {{ envOr "BAZAAR_CLUSTER_ISSUER" "letsencrypt" }}
    nginx.ingress.kubernetes.io/proxy-body-size: 10m
spec:
  ingressClassName: {{ envOr "BAZAAR_INGRESS_CLASS" "nginx" }}
  tls:
    - hosts:
        - {{ $domain }}
      secretName: bazaar-tls
  rules:
    - host: {{ $domain }}
      http:
        paths:
          - path: /api/checkout
            pathType: Prefix
            backend:
              service:
                name: checkout-api
                port:
                  name: http
          - path: /api/inventory
            pathType: Prefix
            backend:
              service:
                name: inventory-api
                port:
                  name: http
          - path: /
            pathType: Prefix
            backend:
              service:
                name: storefront-web
                port:
                  name: http
