apiVersion: apps/v1
kind: Deployment
metadata:
  name: tracking-ingest
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: tracking-ingest
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  replicas: {{ envOr "FLEET_TRACKING_INGEST_REPLICAS" (ternary (eq .Env "production") "3" "1") }}
  selector:
    matchLabels:
      app.kubernetes.io/name: tracking-ingest
  template:
    metadata:
      labels:
        app.kubernetes.io/name: tracking-ingest
        app.kubernetes.io/part-of: {{ .Project }}
    spec:
      containers:
        - name: tracking-ingest
          image: {{ default (index .Vars "FLEET_TRACKING_INGEST_IMAGE") "registry.local:5000/fleet/tracking-ingest:4.1.0" }}
          imagePullPolicy: {{ ternary (eq .Env "ai") "Always" "IfNotPresent" }}
          env:
            - name: MQTT_URL
              value: tcp://mqtt:1883
            - name: MQTT_TOPIC
              value: 'fleet/+/telemetry'
            - name: MQTT_SHARED_GROUP
              value: tracking-ingest
            - name: DB_HOST
              value: timescaledb
            - name: DB_NAME
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_DB
            - name: DB_USER
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_USER
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: fleet-timescaledb
                  key: FLEET_TSDB_PASSWORD
            - name: BATCH_SIZE
              value: "500"
          resources:
            requests:
              cpu: 200m
              memory: 128Mi
            limits:
              memory: 512Mi
