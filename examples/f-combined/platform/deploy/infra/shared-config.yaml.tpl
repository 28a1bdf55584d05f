{{- $domain := envOr "BAZAAR_PUBLIC_DOMAIN" (ternary (eq .Env "production") "bazaar.example.com" (printf "%s.bazaar.example.com" .Namespace)) -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: bazaar-shared
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: bazaar-shared
    app.kubernetes.io/part-of: {{ .Project }}
data:
  BAZAAR_ENV: '{{ .Env }}'
  BAZAAR_PUBLIC_URL: 'https://{{ $domain }}'
  BAZAAR_DB_HOST: postgres
  BAZAAR_REDIS_ADDR: "redis:6379"
  BAZAAR_CURRENCY_DEFAULT: EUR
  BAZAAR_FEATURE_FLAGS: '{{ envOr "BAZAAR_FEATURE_FLAGS" (ternary (eq .Env "production") "reviews" "reviews,wishlist,new-search") }}'
