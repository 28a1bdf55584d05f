{{- $host := envOr "SHOP_PUBLIC_DOMAIN" (ternary (eq .Env "production") "shop.example.com" (printf "%s.shop.example.com" .Namespace)) -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: storefront
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: storefront
    app.kubernetes.io/part-of: {{ .Project }}
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - {{ $host }}
      secretName: storefront-tls
  rules:
    - host: {{ $host }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: storefront
                port:
                  name: http
