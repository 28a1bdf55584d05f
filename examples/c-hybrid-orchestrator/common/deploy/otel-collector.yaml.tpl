apiVersion: v1
kind: ConfigMap
metadata:
  name: otel-collector
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: otel-collector
    app.kubernetes.io/part-of: {{ .Project }}
data:
  config.yaml: |
    receivers:
      otlp:
        protocols:
          grpc: {endpoint: 0.0.0.0:4317}
          http: {endpoint: 0.0.0.0:4318}
    processors:
      batch: {}
      resource:
        attributes:
          - {key: deployment.environment, value: '{{ .Env }}', action: upsert}
          - {key: k8s.namespace.name, value: '{{ .Namespace }}', action: upsert}
    exporters:
      otlphttp:
        endpoint: {{ envOr "PAYGATE_OTLP_ENDPOINT" "http://tempo.observability.svc:4318" }}
    service:
      pipelines:
        traces: {receivers: [otlp], processors: [resource, batch], exporters: [otlphttp]}
        metrics: {receivers: [otlp], processors: [resource, batch], exporters: [otlphttp]}
---
apiVersion: v1
kind: Service
metadata:
  name: otel-collector
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: otel-collector
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: otel-collector
  ports:
    - name: otlp-grpc
      port: 4317
      targetPort: otlp-grpc
    - name: otlp-http
      port: 4318
      targetPort: otlp-http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: otel-collector
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: otel-collector
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: otel-collector
  template:
    metadata:
      labels:
        app.kubernetes.io/name: otel-collector
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: otel-collector
          image: {{ default (index .Vars "PAYGATE_OTEL_COLLECTOR_IMAGE") "otel/opentelemetry-collector-contrib:0.114.0" }}
          args: ["--config=/etc/otel/config.yaml"]
          ports:
            - name: otlp-grpc
              containerPort: 4317
            - name: otlp-http
              containerPort: 4318
          resources:
            requests:
              cpu: 50m
              memory: 128Mi
            limits:
              memory: 512Mi
          volumeMounts:
            - name: config
              mountPath: /etc/otel
      volumes:
        - name: config
          configMap:
            name: otel-collector
