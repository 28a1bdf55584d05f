apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: data-stores-internal-only
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  # PostgreSQL and Redis accept connections only from pods of this namespace.
  podSelector:
    matchExpressions:
      - key: app.kubernetes.io/name
        operator: In
        values: [postgres, redis]
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector: {}
