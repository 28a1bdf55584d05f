apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  podSelector: {}
  policyTypes:
    - Ingress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-same-namespace
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  podSelector: {}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector: {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-ingress-controller
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/component: edge
  policyTypes:
    - Ingress
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ envOr "PAYGATE_INGRESS_NAMESPACE" "ingress-nginx" }}
