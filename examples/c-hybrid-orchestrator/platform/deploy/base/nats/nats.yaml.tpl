apiVersion: v1
kind: ConfigMap
metadata:
  name: nats-config
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: nats
    app.kubernetes.io/part-of: {{ .Project }}
data:
  nats.conf: |
    port: 4222
    http_port: 8222
    jetstream {
      store_dir: /data/jetstream
      max_file_store: {{ ternary (eq .Env "production") "10GB" "1GB" }}
    }
---
apiVersion: v1
kind: Service
metadata:
  name: nats
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: nats
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  selector:
    app.kubernetes.io/name: nats
  ports:
    - name: client
      port: 4222
      targetPort: client
    - name: monitor
      port: 8222
      targetPort: monitor
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: nats
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: nats
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  serviceName: nats
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: nats
  template:
    metadata:
      labels:
        app.kubernetes.io/name: nats
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: nats
          image: {{ default (index .Vars "PAYGATE_NATS_IMAGE") "nats:2.10.22-alpine" }}
          args: ["--config", "/etc/nats/nats.conf"]
          ports:
            - name: client
              containerPort: 4222
            - name: monitor
              containerPort: 8222
          readinessProbe:
            httpGet:
              path: /healthz?js-enabled-only=true
              port: monitor
            periodSeconds: 10
          volumeMounts:
            - name: config
              mountPath: /etc/nats
            - name: data
              mountPath: /data
      volumes:
        - name: config
          configMap:
            name: nats-config
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: {{ ternary (eq .Env "production") "20Gi" "2Gi" }}
