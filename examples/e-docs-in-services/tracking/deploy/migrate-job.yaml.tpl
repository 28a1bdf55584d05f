apiVersion: batch/v1
kind: Job
metadata:
  name: tracking-migrate
  namespace: {{ .Namespace }}
  labels:
    app.kubernetes.io/name: tracking-migrate
    app.kubernetes.io/part-of: {{ .Project }}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: 3600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: tracking-migrate
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: {{ default (index .Vars "FLEET_TRACKING_API_IMAGE") "registry.local:5000/fleet/tracking-api:4.1.0" }}
          args: ["migrate", "up", "--retention={{ ternary (eq .Env "production") "90d" "7d" }}"]
          env:
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
