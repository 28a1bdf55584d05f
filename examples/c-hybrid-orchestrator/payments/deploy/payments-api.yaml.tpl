apiVersion: v1
kind: Service
metadata:
  name: payments-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: payments-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: payments-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: payments-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "PAYGATE_PAYMENTS_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: payments-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: payments-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: payments-api
          image: {{ default (index .Vars "PAYGATE_PAYMENTS_API_IMAGE") "registry.local:5000/paygate/payments-api:1.12.0" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: APP_ENV
              value: '{{ .Env }}'
            - name: HTTP_ADDR
              value: ":8080"
            - name: NATS_URL
              value: nats://nats:4222
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: payments-db
                  key: PAYMENTS_DATABASE_URL
            - name: PSP_API_KEY
              valueFrom:
                secretKeyRef:
                  name: paygate-psp
                  key: PAYGATE_PSP_API_KEY
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector:4317
            - name: OTEL_SERVICE_NAME
              value: payments-api
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            initialDelaySeconds: 3
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 10
            periodSeconds: 20
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 512Mi
