apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-worker
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: payments-worker
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "PAYGATE_PAYMENTS_WORKER_REPLICAS" "1" }}
  selector:
    matchLabels:
      app.kubernetes.io/name: payments-worker
  template:
    metadata:
      labels:
        app.kubernetes.io/name: payments-worker
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      terminationGracePeriodSeconds: 90
      containers:
        - name: payments-worker
          image: {{ default (index .Vars "PAYGATE_PAYMENTS_WORKER_IMAGE") "registry.local:5000/paygate/payments-worker:1.12.0" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          env:
            - name: NATS_URL
              value: nats://nats:4222
            - name: NATS_STREAM
              value: PAYMENTS
            - name: PAYMENTS_API_URL
              value: http://payments-api
            - name: PSP_API_KEY
              valueFrom:
                secretKeyRef:
                  name: paygate-psp
                  key: PAYGATE_PSP_API_KEY
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector:4317
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 256Mi
