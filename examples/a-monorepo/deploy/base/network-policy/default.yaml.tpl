apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: kanban-baseline
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  podSelector: {}
  policyTypes:
    - Ingress
  ingress:
    # Pods of this namespace talk to each other freely.
    - from:
        - podSelector: {}
    # Only the ingress controller reaches the API from outside.
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ envOr "KANBAN_INGRESS_NAMESPACE" "ingress-nginx" }}
      ports:
        - protocol: TCP
          port: 8080
