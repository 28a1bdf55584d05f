apiVersion: v1
kind: Service
metadata:
  name: billing-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: billing-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: billing-api
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: billing-api
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: billing-api
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "PAYGATE_BILLING_API_REPLICAS" (ternary (eq .Env "production") "2" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: billing-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: billing-api
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: billing-api
          image: {{ default (index .Vars "PAYGATE_BILLING_API_IMAGE") "registry.local:5000/paygate/billing-api:0.9.4" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: APP_ENV
              value: '{{ .Env }}'
            - name: HTTP_ADDR
              value: ":8080"
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: billing-db
                  key: BILLING_DATABASE_URL
            - name: PAYMENTS_API_URL
              value: http://payments-api
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector:4317
            - name: OTEL_SERVICE_NAME
              value: billing-api
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
